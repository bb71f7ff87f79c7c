import { describe, expect, it } from "vitest";
import { ParityError } from "../../../src/core/errors";
import { apiFailure } from "../../../src/targets/kube/kubeErrors";

const TARGET = { context: "prod", server: "https://k8s.example.com" };

/** A failed call as @kubernetes/client-node 1.x throws it: the HTTP code and the Status body. */
function failed(code: number, message: string): Error {
  return Object.assign(new Error(`HTTP-Code: ${code}`), {
    code,
    body: JSON.stringify({ kind: "Status", status: "Failure", message, code }),
  });
}

describe("apiFailure", () => {
  it("says an admission webhook's refusal in the webhook's words, not as a missing permission", () => {
    const error = apiFailure(
      failed(
        403,
        'admission webhook "inferenceservice.kserve-webhook-server.validator" denied the request: canary requires a stable predictor with a model',
      ),
      TARGET,
      "update InferenceService iris in team-a",
    ) as ParityError;
    expect(error.code).toBe("AdmissionDenied");
    expect(error.message).toBe(
      'The cluster refused to update InferenceService iris in team-a: admission webhook "inferenceservice.kserve-webhook-server.validator" denied the request: canary requires a stable predictor with a model',
    );
    expect(error.fix).toMatch(/not a missing permission/);
  });

  it("keeps a plain 403 as the permission it is", () => {
    const error = apiFailure(
      failed(
        403,
        'inferenceservices.serving.kserve.io "iris" is forbidden: User "ana" cannot update resource',
      ),
      TARGET,
      "update InferenceService iris in team-a",
    ) as ParityError;
    expect(error.code).toBe("Forbidden");
  });

  it("says a change made meanwhile (409) and an invalid object (422) with the server's sentence", () => {
    const conflict = apiFailure(
      failed(
        409,
        'Operation cannot be fulfilled on inferenceservices.serving.kserve.io "iris": the object has been modified',
      ),
      TARGET,
      "update InferenceService iris in team-a",
    ) as ParityError;
    expect(conflict.code).toBe("ConflictingChange");
    expect(conflict.message).toContain("the object has been modified");
    expect(conflict.fix).toMatch(/run the command again/);
    const invalid = apiFailure(
      failed(422, 'InferenceService.serving.kserve.io "Iris" is invalid: metadata.name: Invalid value'),
      TARGET,
      "create InferenceService Iris in team-a",
    ) as ParityError;
    expect(invalid.code).toBe("InvalidObject");
    expect(invalid.message).toContain("metadata.name: Invalid value");
  });
});
