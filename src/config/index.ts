/**
 * Public API of the configuration layer. Other modules import from here only.
 */
export { parseProperties, readPropertiesFile, type PropertiesFile } from './properties-reader.ts';
export {
  loadMirrorMakerConfig,
  loadMirrorMakerConfigText,
  type LoadOptions,
  type LoadedConfig,
  type RouteConfig,
} from './load.ts';
export {
  MirrorMakerConfig,
  CONNECTOR_CLASSES,
  routeName,
  javaParseBoolean,
  valuesOf,
  type SourceAndTarget,
  type SourcedMap,
  type SourcedValue,
} from './mirror-maker-config.ts';
export type { RouteSettings, WorkerSettings, Periodic } from './route-settings.ts';
export {
  connectorClientConfig,
  clientUses,
  type ClientUse,
  type ClientKind,
  type ClusterSide,
} from './connector-clients.ts';
export {
  toKafkaClientSettings,
  parseJaasConfig,
  type ClientSettingsResult,
  type ClientSettingProblem,
} from './client-settings.ts';
export { compilePatternList, translateJavaRegex, type NameMatcher, type JavaRegexTranslation } from './java-regex.ts';
export {
  pluginReference,
  loadPlugin,
  PLUGIN_KEYS,
  type PluginReference,
  type PluginKind,
  type BuiltinPlugin,
} from './plugins.ts';
export {
  resolvePlaceholders,
  findPlaceholders,
  createProviders,
  providerDeclarations,
  type ConfigProvider,
} from './providers.ts';
export { collectDiagnostics, checkReplicationFactors, formatDiagnostic, type Diagnostic } from './diagnostics.ts';
export { redacted, HIDDEN } from './redact.ts';
export { KEY_TABLE, KEYS_BY_NAME, isSecretKey, type KeyDefinition, type ConnectorKind } from './keys/key-table.ts';
export { parseJavaList, parseValue, type KeyType } from './keys/key-types.ts';
export { diffRoutes, changedRouteKeys, changedTopLevelKeys, type RouteDifference } from './config-diff.ts';
