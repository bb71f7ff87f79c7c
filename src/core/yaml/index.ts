export { parseYamlDocument, type YamlDocument } from "./document";
export {
  createYamlLocator,
  type FieldPath,
  type YamlLocation,
  type YamlLocator,
  type YamlPosition,
} from "./locator";
export {
  describeSchemaErrors,
  formatFieldPath,
  schemaProblemsError,
  toFieldPath,
  type DescribeOptions,
  type SchemaProblem,
} from "./schemaErrors";
export { closestMatch, editDistance } from "./suggest";
