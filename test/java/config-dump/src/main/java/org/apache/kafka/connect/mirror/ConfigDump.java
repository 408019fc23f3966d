/*
 * Java cross-check for mirrormaker-ts. Lives in MM2's own package so it can call the package-private
 * helpers (clusterProps, allConfigNames, the connector client-config builders) without reflection.
 *
 * Usage:
 *   java -cp <classpath> org.apache.kafka.connect.mirror.ConfigDump <mm2.properties> [more.properties ...]
 *       prints, for every cluster pair, what Java MM2 derives from the file (JSON on stdout);
 *       with several files, a JSON object keyed by file
 *   java -cp <classpath> org.apache.kafka.connect.mirror.ConfigDump --keys
 *       prints the ConfigDefs (name, type, default, validator) MM2 validates against
 */
package org.apache.kafka.connect.mirror;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.utils.Utils;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

public final class ConfigDump {
    public static void main(String[] args) throws Exception {
        Object out;
        if (args.length == 1 && args[0].equals("--keys")) {
            out = keys();
        } else if (args.length == 1) {
            out = dump(args[0]);
        } else if (args.length > 1) {
            // Several files in one JVM: building MirrorMakerConfig scans plugins, which is slow to repeat.
            Map<String, Object> byFile = new TreeMap<>();
            for (String path : args) byFile.put(path, dump(path));
            out = byFile;
        } else {
            System.err.println("usage: ConfigDump <mm2.properties> | --keys");
            System.exit(2);
            return;
        }
        StringBuilder json = new StringBuilder();
        writeJson(json, out, "");
        System.out.println(json);
    }

    private static Map<String, Object> dump(String path) throws Exception {
        Map<String, Object> result = new TreeMap<>();
        MirrorMakerConfig config;
        try {
            Properties props = Utils.loadProps(path);
            config = new MirrorMakerConfig(Utils.propsToStringMap(props));
        } catch (Exception e) {
            result.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
            return result;
        }
        result.put("clusters", new ArrayList<>(new java.util.TreeSet<>(config.clusters())));
        List<String> pairs = new ArrayList<>();
        Map<String, Object> routes = new TreeMap<>();
        for (SourceAndTarget pair : config.clusterPairs()) {
            pairs.add(pair.toString());
            routes.put(pair.toString(), route(config, pair));
        }
        java.util.Collections.sort(pairs);
        result.put("clusterPairs", pairs);
        result.put("routes", routes);
        Map<String, Object> clientConfigs = new TreeMap<>();
        for (String cluster : config.clusters()) {
            try {
                clientConfigs.put(cluster, strings(config.clientConfig(cluster).originals()));
            } catch (Exception e) {
                clientConfigs.put(cluster, Map.of("error", e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
        result.put("clientConfigs", clientConfigs);
        return result;
    }

    private static Map<String, Object> route(MirrorMakerConfig config, SourceAndTarget pair) {
        Map<String, Object> route = new TreeMap<>();
        Map<String, Object> connectors = new TreeMap<>();
        Map<String, Object> clients = new TreeMap<>();
        for (Class<?> connectorClass : MirrorMaker.CONNECTOR_CLASSES) {
            Map<String, String> props = config.connectorBaseConfig(pair, connectorClass);
            connectors.put(connectorClass.getSimpleName(), new TreeMap<>(props));
            try {
                clients.putAll(connectorClients(connectorClass, props));
            } catch (Exception e) {
                clients.put(connectorClass.getSimpleName() + ".error", e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        route.put("connectors", connectors);
        route.put("clients", clients);
        try {
            route.put("worker", new TreeMap<>(config.workerConfig(pair)));
        } catch (Exception e) {
            route.put("worker", Map.of("error", e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        return route;
    }

    /** The client configs each connector builds, keyed like mirrormaker-ts's `clients` section. */
    private static Map<String, Object> connectorClients(Class<?> connectorClass, Map<String, String> props) {
        Map<String, Object> clients = new TreeMap<>();
        if (connectorClass == MirrorSourceConnector.class) {
            MirrorSourceConfig c = new MirrorSourceConfig(props);
            clients.put("source.replication-consumer", strings(c.sourceConsumerConfig("replication-consumer")));
            clients.put("source.replication-source-admin", strings(c.sourceAdminConfig("replication-source-admin")));
            clients.put("source.replication-target-admin", strings(c.targetAdminConfig("replication-target-admin")));
            clients.put("source.offset-syncs-producer", strings(c.offsetSyncsTopicProducerConfig()));
            clients.put("source.offset-syncs-admin", strings(c.offsetSyncsTopicAdminConfig()));
        } else if (connectorClass == MirrorCheckpointConnector.class) {
            MirrorCheckpointConfig c = new MirrorCheckpointConfig(props);
            clients.put("checkpoint.checkpoint-source-admin", strings(c.sourceAdminConfig("checkpoint-source-admin")));
            clients.put("checkpoint.checkpoint-target-admin", strings(c.targetAdminConfig("checkpoint-target-admin")));
            clients.put("checkpoint.checkpoints-target-consumer",
                    strings(c.targetConsumerConfig("checkpoints-target-consumer")));
            clients.put("checkpoint.offset-syncs-consumer", strings(c.offsetSyncsTopicConsumerConfig()));
            clients.put("checkpoint.offset-syncs-admin", strings(c.offsetSyncsTopicAdminConfig()));
        } else if (connectorClass == MirrorHeartbeatConnector.class) {
            MirrorHeartbeatConfig c = new MirrorHeartbeatConfig(props);
            clients.put("heartbeat.heartbeats-target-admin", strings(c.targetAdminConfig("heartbeats-target-admin")));
        }
        return clients;
    }

    private static Map<String, String> strings(Map<String, ?> map) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, ?> e : map.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Password) v = ((Password) v).value();
            else if (v instanceof List) v = String.join(",", ((List<?>) v).stream().map(String::valueOf).toList());
            else if (v instanceof Class) v = ((Class<?>) v).getName();
            out.put(e.getKey(), v == null ? null : String.valueOf(v));
        }
        return out;
    }

    private static Map<String, Object> keys() {
        Map<String, Object> out = new TreeMap<>();
        out.put("MirrorMakerConfig", describe(MirrorMakerConfig.config()));
        out.put("MirrorClientConfig.CLIENT_CONFIG_DEF", describe(MirrorClientConfig.CLIENT_CONFIG_DEF));
        out.put("MirrorConnectorConfig", describe(MirrorConnectorConfig.BASE_CONNECTOR_CONFIG_DEF));
        out.put("MirrorSourceConfig", describe(MirrorSourceConfig.CONNECTOR_CONFIG_DEF));
        out.put("MirrorCheckpointConfig", describe(MirrorCheckpointConfig.CONNECTOR_CONFIG_DEF));
        out.put("MirrorHeartbeatConfig", describe(MirrorHeartbeatConfig.CONNECTOR_CONFIG_DEF));
        return out;
    }

    private static Map<String, Object> describe(ConfigDef def) {
        Map<String, Object> keys = new TreeMap<>();
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            Map<String, Object> k = new TreeMap<>();
            k.put("type", key.type.name());
            Object dflt = key.defaultValue;
            if (dflt == ConfigDef.NO_DEFAULT_VALUE) k.put("required", true);
            else if (dflt instanceof Class) k.put("default", ((Class<?>) dflt).getName());
            else if (dflt instanceof List) k.put("default", String.join(",", ((List<?>) dflt).stream().map(String::valueOf).toList()));
            else k.put("default", dflt == null ? null : String.valueOf(dflt));
            k.put("validator", key.validator == null ? null : key.validator.toString());
            k.put("documentation", key.documentation);
            keys.put(key.name, k);
        }
        return keys;
    }

    /** A small JSON writer (maps, lists, strings, booleans, null) so the dump needs no JSON library. */
    private static void writeJson(StringBuilder sb, Object value, String indent) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof Boolean) {
            sb.append(value);
        } else if (value instanceof Map) {
            Map<?, ?> map = new TreeMap<>((Map<?, ?>) value);
            if (map.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(indent).append("  ");
                writeString(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                writeJson(sb, e.getValue(), indent + "  ");
                sb.append(++i < map.size() ? ",\n" : "\n");
            }
            sb.append(indent).append("}");
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            sb.append("[");
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) sb.append(", ");
                writeJson(sb, list.get(i), indent);
            }
            sb.append("]");
        } else {
            writeString(sb, String.valueOf(value));
        }
    }

    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        sb.append('"');
    }
}
