/** PEP 503 normalised distribution name: "Scikit_Learn" → "scikit-learn". */
export function normalizeName(name: string): string {
  return name
    .trim()
    .replace(/[-_.]+/g, "-")
    .toLowerCase();
}

/**
 * Import names whose distribution is named differently, for when no probe of an environment
 * that has them installed is available. Only the common ones; the probe's mapping wins.
 */
export const IMPORT_TO_DISTRIBUTION: Readonly<Record<string, string>> = {
  sklearn: "scikit-learn",
  skimage: "scikit-image",
  cv2: "opencv-python",
  PIL: "pillow",
  yaml: "pyyaml",
  bs4: "beautifulsoup4",
  dateutil: "python-dateutil",
  dotenv: "python-dotenv",
  jwt: "pyjwt",
  Crypto: "pycryptodome",
  OpenSSL: "pyopenssl",
  attr: "attrs",
  serial: "pyserial",
  usb: "pyusb",
  magic: "python-magic",
  docx: "python-docx",
  pptx: "python-pptx",
  fitz: "pymupdf",
  Levenshtein: "python-levenshtein",
  tensorflow_hub: "tensorflow-hub",
  pkg_resources: "setuptools",
};

/**
 * The distribution that provides a top-level import: from an environment's probed mapping when
 * it has one, else the built-in table, else the import name itself (normalised).
 */
export function distributionForImport(
  moduleName: string,
  moduleDistributions: Readonly<Record<string, readonly string[]>> = {},
): string {
  const probed = moduleDistributions[moduleName];
  if (probed && probed.length > 0) return normalizeName(probed[0]!);
  return normalizeName(IMPORT_TO_DISTRIBUTION[moduleName] ?? moduleName);
}
