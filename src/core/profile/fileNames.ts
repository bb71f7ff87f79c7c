/** The names a profile may have, in the order Parity looks for them in a folder. */
export const PROFILE_FILE_NAMES = ["parity.yaml", "parity.yml"] as const;
