import { expect } from "vitest";
import { ParityError } from "../../src/core/errors";

/** The ParityError that `run` throws; fails the test when it throws nothing or something else. */
export function failureOf(run: () => unknown): ParityError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ParityError);
    return error as ParityError;
  }
  throw new Error("expected a ParityError");
}

/** The ParityError that `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function rejectionOf(promise: Promise<unknown>): Promise<ParityError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ParityError);
  return error as ParityError;
}
