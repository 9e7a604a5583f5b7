using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Boot2IsoKit.Model.Recipes;

/// <summary>The closed-network keys: <c>certificates:</c>, <c>daemon:</c>, <c>images:</c> and <c>registries:</c>.</summary>
internal static partial class RecipeLoader
{
    /// <summary>Items are <c>{ archive: PATH }</c> or <c>{ ref: NAME[:TAG][@DIGEST], tag: NAME:TAG }</c>; a bare item is a reference.</summary>
    private static List<ImageSpec> ReadImages(NodeReader reader, YamlNode node)
    {
        var images = new List<ImageSpec>();
        foreach (var item in reader.Sequence(node))
        {
            var line = (int)item.Start.Line;
            if (item is YamlScalarNode { Value: { Length: > 0 } bare })
            {
                images.Add(new ImageSpec(null, Reference(reader, item, bare), null, line));
                continue;
            }

            var map = reader.Mapping(item, "image", "archive", "ref", "tag");
            var archive = reader.OptionalString(map, "archive");
            var reference = reader.OptionalString(map, "ref");
            if ((archive is null) == (reference is null))
            {
                throw reader.Error(item, "an image is either 'archive:' (a file written by docker save) or 'ref:' (pulled from a registry), not both or neither");
            }

            var tag = reader.OptionalString(map, "tag");
            if (tag is not null && archive is not null)
            {
                throw reader.Error(map["tag"], "'tag:' names a pulled image; an archive keeps the names docker save gave it");
            }

            images.Add(new ImageSpec(archive, reference is null ? null : Reference(reader, map["ref"], reference), tag is null ? null : Reference(reader, map["tag"], tag), line));
        }

        return images;
    }

    /// <summary>A reference is checked in full where it is resolved (Inputs/Registry); here: one word, no spaces.</summary>
    private static string Reference(NodeReader reader, YamlNode node, string text) =>
        text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? throw reader.Error(node, $"'{text}' is not an image reference (name[:tag][@sha256:digest])") : text;

    /// <summary>A mapping of registry host → { plain-http, url, username, password-env }.</summary>
    private static List<RegistrySpec> ReadRegistries(NodeReader reader, YamlNode node)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw reader.Error(node, "'registries' must be a mapping of registry hosts (as image references name them) to their settings");
        }

        var registries = new List<RegistrySpec>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var host = (keyNode as YamlScalarNode)?.Value ?? "";
            if (host.Length == 0 || host.Contains('/', StringComparison.Ordinal) || host.Any(char.IsWhiteSpace))
            {
                throw reader.Error(keyNode, $"'{host}' is not a registry host (\"ghcr.io\", \"127.0.0.1:5000\")");
            }

            if (value is YamlMappingNode entries && entries.Children.Keys.FirstOrDefault(k => (k as YamlScalarNode)?.Value == "password") is { } password)
            {
                throw reader.Error(password, "a recipe holds no password (recipes are committed and shared): name the environment variable that holds it with 'password-env:'");
            }

            var map = reader.Mapping(value, "registry " + host, "plain-http", "url", "username", "password-env");

            var url = reader.OptionalString(map, "url");
            if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"))
            {
                throw reader.Error(map["url"], $"'{url}' is not an http or https URL");
            }

            var username = reader.OptionalString(map, "username");
            var passwordVariable = reader.OptionalString(map, "password-env");
            if ((username is null) != (passwordVariable is null))
            {
                throw reader.Error(value, "'username:' and 'password-env:' go together");
            }

            registries.Add(new RegistrySpec(host, map.TryGetValue("plain-http", out var plain) && Bool(reader, plain, "plain-http"), url, username, passwordVariable, (int)keyNode.Start.Line));
        }

        return registries;
    }

    /// <summary>Items are a path, or <c>{ file: PATH, allow-expired: true }</c>.</summary>
    private static List<CertificateSpec> ReadCertificates(NodeReader reader, YamlNode node)
    {
        var certificates = new List<CertificateSpec>();
        foreach (var item in reader.Sequence(node))
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } file })
            {
                certificates.Add(new CertificateSpec(file, false, (int)item.Start.Line));
                continue;
            }

            var map = reader.Mapping(item, "certificate", "file", "allow-expired");
            var path = reader.RequiredString(map, item, "file");
            var allowExpired = map.TryGetValue("allow-expired", out var allow) && Bool(reader, allow, "allow-expired");
            certificates.Add(new CertificateSpec(path, allowExpired, (int)item.Start.Line));
        }

        return certificates;
    }

    /// <summary>dockerd directives by their daemon.json names, each of the shape dockerd takes.</summary>
    private static List<DaemonSetting> ReadDaemon(NodeReader reader, YamlNode node)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw reader.Error(node, "'daemon' must be a mapping of dockerd's daemon.json keys (insecure-registries, registry-mirrors, labels, ...)");
        }

        var settings = new List<DaemonSetting>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (DockerdOptions.OwnedByBoot2Docker.TryGetValue(key, out var owner))
            {
                throw reader.Error(keyNode, $"daemon key '{key}' cannot be baked: {owner}");
            }

            var option = DockerdOptions.Find(key)
                ?? throw reader.Error(keyNode, $"unknown daemon key '{key}' (dockerd 20.10's daemon.json keys: {string.Join(", ", DockerdOptions.All.Select(o => o.Key))})");
            settings.Add(new DaemonSetting(key, DaemonValue(reader, option, value), (int)keyNode.Start.Line));
        }

        return settings;
    }

    private static JsonNode DaemonValue(NodeReader reader, DockerdOption option, YamlNode node)
    {
        var what = $"daemon '{option.Key}'";
        JsonNode value = option.Kind switch
        {
            DaemonValueKind.Bool => JsonValue.Create(Bool(reader, node, what)),
            DaemonValueKind.Number => JsonValue.Create(Integer(reader, node, what)),
            DaemonValueKind.Text => JsonValue.Create(Text(reader, node, what)),
            DaemonValueKind.TextList => new JsonArray([.. Sequence(reader, node, what).Select(item => (JsonNode)JsonValue.Create(Text(reader, item, what + " item")))]),
            DaemonValueKind.TextMap => Map(reader, node, what, item => JsonValue.Create(Text(reader, item, what + " value"))),
            DaemonValueKind.BoolMap => Map(reader, node, what, item => JsonValue.Create(Bool(reader, item, what + " value"))),
            // The object-valued directives, in the shapes dockerd's daemon/config reads them.
            DaemonValueKind.AddressPools => new JsonArray([.. Sequence(reader, node, what).Select(item => (JsonNode)Fields(reader, item, what + " item",
                ("base", true, n => JsonValue.Create(Text(reader, n, what + " base"))),
                ("size", true, n => JsonValue.Create(Integer(reader, n, what + " size")))))]),
            DaemonValueKind.Runtimes => Map(reader, node, what, item => Fields(reader, item, what + " runtime",
                ("path", true, n => JsonValue.Create(Text(reader, n, what + " path"))),
                ("runtimeArgs", false, n => new JsonArray([.. Sequence(reader, n, what + " runtimeArgs").Select(a => (JsonNode)JsonValue.Create(Text(reader, a, what + " runtimeArgs item")))])))),
            DaemonValueKind.Ulimits => Ulimits(reader, node, what),
            _ => throw new InvalidOperationException("unknown value kind " + option.Kind),
        };
        if (option.Values is { } allowed && value.GetValueKind() == System.Text.Json.JsonValueKind.String && !allowed.Contains(value.GetValue<string>(), StringComparer.Ordinal))
        {
            throw reader.Error(node, $"{what} is '{value.GetValue<string>()}', not one of: {string.Join(", ", allowed)}");
        }

        return value;
    }

    /// <summary>A mapping with the given keys (each read by its reader), the required ones present.</summary>
    private static JsonObject Fields(NodeReader reader, YamlNode node, string what, params (string Key, bool Required, Func<YamlNode, JsonNode> Read)[] fields)
    {
        var map = reader.Mapping(node, what, [.. fields.Select(f => f.Key)]);
        var json = new JsonObject();
        foreach (var (key, required, read) in fields)
        {
            if (map.TryGetValue(key, out var value))
            {
                json[key] = read(value);
            }
            else if (required)
            {
                throw reader.Error(node, $"{what} needs '{key}:'");
            }
        }

        return json;
    }

    /// <summary><c>nofile: { Hard: 64000, Soft: 64000 }</c> → dockerd's <c>"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}</c>.</summary>
    private static JsonObject Ulimits(NodeReader reader, YamlNode node, string what)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw reader.Error(node, $"{what} must be a mapping (name: {{Hard: N, Soft: N}})");
        }

        var result = new JsonObject();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var name = Text(reader, keyNode, what + " name");
            var limits = Fields(reader, value, $"{what} '{name}'",
                ("Hard", true, n => JsonValue.Create(Integer(reader, n, $"{what} '{name}' Hard"))),
                ("Soft", true, n => JsonValue.Create(Integer(reader, n, $"{what} '{name}' Soft"))));
            result[name] = new JsonObject { ["Name"] = name, ["Hard"] = limits["Hard"]!.DeepClone(), ["Soft"] = limits["Soft"]!.DeepClone() };
        }

        return result;
    }

    private static IReadOnlyList<YamlNode> Sequence(NodeReader reader, YamlNode node, string what) =>
        node is YamlSequenceNode sequence ? [.. sequence.Children] : throw reader.Error(node, $"{what} must be a list (lines starting with '- ', or [a, b])");

    private static JsonObject Map(NodeReader reader, YamlNode node, string what, Func<YamlNode, JsonNode> value)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw reader.Error(node, $"{what} must be a mapping (name: value)");
        }

        var result = new JsonObject();
        foreach (var (key, item) in mapping.Children)
        {
            result[Text(reader, key, what + " name")] = value(item);
        }

        return result;
    }

    /// <summary>One line of text: the settings reach dockerd as one flag argument per line.</summary>
    private static string Text(NodeReader reader, YamlNode node, string what) =>
        node is YamlScalarNode { Value: { Length: > 0 } text } && !text.Any(char.IsControl)
            ? text
            : throw reader.Error(node, $"{what} must be a single non-empty value on one line");

    /// <summary>Unquoted true or false: a quoted "true" is text, and dockerd would refuse text where it wants a boolean.</summary>
    private static bool Bool(NodeReader reader, YamlNode node, string what) => node switch
    {
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" } => true,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "false" } => false,
        _ => throw reader.Error(node, $"{what} must be true or false (unquoted)"),
    };

    private static long Integer(NodeReader reader, YamlNode node, string what) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } digits } && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw reader.Error(node, $"{what} must be a whole number (unquoted)");
}
