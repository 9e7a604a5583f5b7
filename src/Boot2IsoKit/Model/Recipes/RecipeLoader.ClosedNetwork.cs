using System.Globalization;
using System.Text.Json.Nodes;
using Boot2IsoKit.Stages.DaemonSettings;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Boot2IsoKit.Model.Recipes;

/// <summary>The closed-network keys: <c>certificates:</c> and <c>daemon:</c>.</summary>
internal static partial class RecipeLoader
{
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
            _ => throw new InvalidOperationException("unknown value kind " + option.Kind),
        };
        if (option.Values is { } allowed && value.GetValueKind() == System.Text.Json.JsonValueKind.String && !allowed.Contains(value.GetValue<string>(), StringComparer.Ordinal))
        {
            throw reader.Error(node, $"{what} is '{value.GetValue<string>()}', not one of: {string.Join(", ", allowed)}");
        }

        return value;
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
