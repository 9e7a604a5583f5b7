using System.Globalization;
using System.Text.RegularExpressions;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Inputs.Engines;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Stages.Injection;
using Boot2IsoKit.Stages.MachineCache;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Boot2IsoKit.Model.Recipes;

/// <summary>
/// Reads a recipe YAML file strictly: unknown keys, wrong types and out-of-range values are errors
/// with the line and column, so a typo never silently builds a different ISO.
/// </summary>
internal static partial class RecipeLoader
{
    public const string DefaultRepository = "boot2docker/boot2docker";
    public const string DefaultAsset = "boot2docker.iso";
    public const string DefaultImage = "boot2docker/boot2docker";

    public static Recipe LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new RecipeException(path, 0, 0, "cannot be read: " + e.Message, e);
        }

        return Load(text, path);
    }

    public static Recipe Load(string yaml, string sourceName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new RecipeException(sourceName, (int)e.Start.Line, (int)e.Start.Column, "is not valid YAML: " + e.Message, e);
        }
        catch (Exception e) when (MalformedInput.IsFromDecoder(e))
        {
            // YamlDotNet gives up on some malformed input without a position: its scanner with
            // InvalidOperationException (found by RecipeFuzzTests), its node loader with ArgumentException
            // "unsupported event type" (found by the Fuzz suite; both inputs are in Tests/Fuzz/Corpus/recipe).
            // Only the parser runs here, on text in memory: a black box on bad input, like a decoder.
            throw new RecipeException(sourceName, 1, 1, "is not valid YAML (the parser could not continue: " + e.Message + ")", e);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new RecipeException(sourceName, 1, 1, "a recipe is one YAML mapping (name:, base:, engine:, ...)");
        }

        var reader = new NodeReader(sourceName);
        var map = reader.Mapping(root, "recipe", "name", "description", "base", "engine", "label", "volume-id", "motd", "overlays", "packages", "initrd", "initrd-compression", "output", "debian", "extensions", "tinycore", "verify", "certificates", "daemon", "images", "registries");
        var name = reader.RequiredString(map, root, "name");
        if (!RecipeNamePattern().IsMatch(name))
        {
            throw reader.Error(map["name"], $"name '{name}' must be lower-case letters, digits and '-' (it names output files)");
        }

        var tinyCore = map.TryGetValue("tinycore", out var tinyCoreNode) ? reader.Mapping(tinyCoreNode, "tinycore", "mirror", "release") : null;
        var volumeId = reader.OptionalString(map, "volume-id");
        if (volumeId is not null)
        {
            ValidateVolumeId(reader, map["volume-id"], volumeId);
        }

        return new Recipe
        {
            Name = name,
            SourcePath = sourceName,
            Description = reader.OptionalString(map, "description"),
            Base = ReadBase(reader, map),
            Engine = map.TryGetValue("engine", out var engine) ? ReadEngine(reader, engine) : null,
            Label = map.TryGetValue("label", out var label) ? reader.Enum<LabelStrategy>(label, ("truthful", LabelStrategy.Truthful), ("upstream-tag", LabelStrategy.UpstreamTag)) : LabelStrategy.Truthful,
            VolumeId = volumeId,
            Motd = reader.OptionalString(map, "motd"),
            Overlays = map.TryGetValue("overlays", out var overlays) ? reader.Strings(overlays) : [],
            Packages = map.TryGetValue("packages", out var packages) ? [.. reader.Sequence(packages).Select(p => ReadPackage(reader, p))] : [],
            Initrd = map.TryGetValue("initrd", out var initrd) ? reader.Enum<InitrdOverlayMode>(initrd, ("append", InitrdOverlayMode.Append), ("merge", InitrdOverlayMode.Merge)) : InitrdOverlayMode.Append,
            MergeCompression = map.TryGetValue("initrd-compression", out var initrdCompression) ? reader.Enum<InitrdCompression>(initrdCompression, ("xz", InitrdCompression.Xz), ("lzma", InitrdCompression.Lzma)) : InitrdCompression.Xz,
            Output = reader.OptionalString(map, "output"),
            DebianMirror = map.TryGetValue("debian", out var debian) ? reader.OptionalString(reader.Mapping(debian, "debian", "mirror"), "mirror") : null,
            Extensions = map.TryGetValue("extensions", out var extensions) ? ReadExtensions(reader, extensions) : [],
            TinyCoreMirror = tinyCore is null ? null : ReadTinyCoreMirror(reader, tinyCore),
            TinyCoreRelease = tinyCore is null ? null : ReadTinyCoreRelease(reader, tinyCore),
            Verify = map.TryGetValue("verify", out var verify) ? ReadVerify(reader, verify) : [],
            Certificates = map.TryGetValue("certificates", out var certificates) ? ReadCertificates(reader, certificates) : [],
            Daemon = map.TryGetValue("daemon", out var daemon) ? ReadDaemon(reader, daemon) : [],
            Images = map.TryGetValue("images", out var images) ? ReadImages(reader, images) : [],
            Registries = map.TryGetValue("registries", out var registries) ? ReadRegistries(reader, registries) : [],
        };
    }

    /// <summary>Extension names as tce-load takes them ("ipvsadm" or "ipvsadm.tcz"); an item with '/' is a local .tcz file.</summary>
    private static List<string> ReadExtensions(NodeReader reader, YamlNode node)
    {
        var names = new List<string>();
        foreach (var item in reader.Sequence(node))
        {
            var text = item is YamlScalarNode { Value: { Length: > 0 } value } ? value : throw reader.Error(item, "list items must be single values");
            if (text.Contains('/', StringComparison.Ordinal))
            {
                if (!text.EndsWith(".tcz", StringComparison.Ordinal))
                {
                    throw reader.Error(item, $"local extension '{text}' must be a .tcz file");
                }

                names.Add(text);
                continue;
            }

            names.Add(ExtensionName.Normalize(text) ?? throw reader.Error(item, ExtensionName.Problem(text)));
        }

        return names;
    }

    private static string? ReadTinyCoreMirror(NodeReader reader, Dictionary<string, YamlNode> tinyCore)
    {
        var mirror = reader.OptionalString(tinyCore, "mirror");
        if (mirror is not null && (!Uri.TryCreate(mirror, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file")))
        {
            throw reader.Error(tinyCore["mirror"], $"tinycore mirror '{mirror}' must be an http, https or file URL");
        }

        return mirror;
    }

    /// <summary>"10" or "10.x", as the mirror's directories are named.</summary>
    private static int? ReadTinyCoreRelease(NodeReader reader, Dictionary<string, YamlNode> tinyCore)
    {
        var release = reader.OptionalString(tinyCore, "release");
        if (release is null)
        {
            return null;
        }

        var digits = release.EndsWith(".x", StringComparison.Ordinal) ? release[..^2] : release;
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var major) || major is < 1 or > 99)
        {
            throw reader.Error(tinyCore["release"], $"tinycore release '{release}' must be a major version such as 10 or 10.x");
        }

        return major;
    }

    /// <summary>Shell commands Verify runs over SSH in the booted ISO: one line each, no control characters.</summary>
    private static IReadOnlyList<string> ReadVerify(NodeReader reader, YamlNode node)
    {
        var commands = reader.Strings(node);
        foreach (var (command, item) in commands.Zip(reader.Sequence(node)))
        {
            if (string.IsNullOrWhiteSpace(command) || command.Any(char.IsControl))
            {
                throw reader.Error(item, "a verify command is one non-empty line of shell (no newlines or control characters)");
            }
        }

        return commands;
    }

    /// <summary>The volume id is what docker-machine reads at 0x8028: at most 32 bytes, printable ASCII.</summary>
    private static void ValidateVolumeId(NodeReader reader, YamlNode node, string volumeId)
    {
        if (volumeId.Length is 0 or > 32 || volumeId.Any(c => c is < ' ' or > '~'))
        {
            throw reader.Error(node, $"volume-id '{volumeId}' must be 1 to 32 printable ASCII characters (ISO 9660 limit; docker-machine reads exactly these 32 bytes)");
        }
    }

    private static BaseSpec ReadBase(NodeReader reader, Dictionary<string, YamlNode> recipe)
    {
        if (!recipe.TryGetValue("base", out var node))
        {
            throw reader.Error(null, "'base:' is missing (release: v19.03.12, or iso: path/to/boot2docker.iso)");
        }

        var map = reader.Mapping(node, "base", "release", "repository", "asset", "image", "iso");
        var release = reader.OptionalString(map, "release");
        var iso = reader.OptionalString(map, "iso");
        if (release is null && iso is null)
        {
            throw reader.Error(node, "'base:' needs 'release:' (a boot2docker tag like v19.03.12) or 'iso:' (a local ISO)");
        }

        // The text is looked up as a release tag, so it must be the tag as the owner spells it (no white space).
        if (release is not null && !(Boot2DockerVersion.TryParseTag(release, out var tag) && tag.Tag == release))
        {
            throw reader.Error(map["release"], $"release '{release}' is not a boot2docker tag like v19.03.12 or v18.06.1-ce");
        }

        var repository = reader.OptionalString(map, "repository") ?? DefaultRepository;
        if (!RepositoryPattern().IsMatch(repository))
        {
            throw reader.Error(map["repository"], $"repository '{repository}' must be owner/name");
        }

        return new BaseSpec(
            release ?? "",
            repository,
            reader.OptionalString(map, "asset") ?? DefaultAsset,
            reader.OptionalString(map, "image") ?? DefaultImage,
            iso);
    }

    private static EngineSpec ReadEngine(NodeReader reader, YamlNode node)
    {
        var map = reader.Mapping(node, "engine", "version", "channel", "url", "sha256", "tgz", "sources", "libraries");
        var version = reader.RequiredString(map, node, "version");
        if (!EngineVersion.TryParseExact(version, out _))
        {
            throw reader.Error(map["version"], $"engine version '{version}' is not like 19.03.12, 17.06.0-ce or 1.12.0-rc4");
        }

        var channel = map.TryGetValue("channel", out var channelNode)
            ? reader.Enum<string>(channelNode, ("stable", "stable"), ("test", "test"), ("experimental", "experimental"), ("nightly", "nightly"), ("edge", "edge"), ("master", "master"))
            : null;
        var url = reader.OptionalString(map, "url");
        if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            throw reader.Error(map["url"], $"url '{url}' is not an absolute URL");
        }

        var sha256 = reader.OptionalString(map, "sha256")?.ToLowerInvariant();
        if (sha256 is not null && !Sha256Pattern().IsMatch(sha256))
        {
            throw reader.Error(map["sha256"], "sha256 must be 64 hexadecimal digits");
        }

        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map.TryGetValue("sources", out var sourcesNode))
        {
            var sourceMap = reader.Mapping(sourcesNode, "engine sources", [.. Boot2IsoKit.Inputs.Engines.EngineSources.Keys]);
            foreach (var key in sourceMap.Keys)
            {
                var value = reader.OptionalString(sourceMap, key);
                if (value is null || !Uri.TryCreate(value, UriKind.Absolute, out _))
                {
                    throw reader.Error(sourceMap[key], $"engine source '{key}' must be an absolute URL");
                }

                sources[key] = value;
            }
        }

        return new EngineSpec(version, channel, url, sha256, reader.OptionalString(map, "tgz"), sources)
        {
            Libraries = map.TryGetValue("libraries", out var libraries) ? ReadEngineLibraries(reader, libraries) : null,
        };
    }

    /// <summary><c>libraries: { suite: bookworm, debs: [libsystemd0, ...] }</c>: where a dynamically linked engine's libraries come from.</summary>
    private static EngineLibrariesSpec ReadEngineLibraries(NodeReader reader, YamlNode node)
    {
        var map = reader.Mapping(node, "engine libraries", "suite", "debs");
        var suite = reader.OptionalString(map, "suite") ?? "bookworm";
        if (!DebianNamePattern().IsMatch(suite))
        {
            throw reader.Error(map["suite"], $"suite '{suite}' is not a Debian suite name");
        }

        if (!map.TryGetValue("debs", out var debsNode))
        {
            throw reader.Error(node, "'libraries:' needs 'debs:' (the Debian packages that provide the engine's libraries)");
        }

        var debs = reader.Strings(debsNode);
        foreach (var (deb, item) in debs.Zip(reader.Sequence(debsNode)))
        {
            if (!DebianNamePattern().IsMatch(deb))
            {
                throw reader.Error(item, $"'{deb}' is not a Debian package name");
            }
        }

        return new EngineLibrariesSpec(debs, suite, (int)node.Start.Line);
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.-]{0,99}$")]
    private static partial Regex DebianNamePattern();

    private static PackageSpec ReadPackage(NodeReader reader, YamlNode node)
    {
        var map = reader.Mapping(node, "package", "deb", "suite", "from", "host", "binaries", "mode");
        var deb = reader.OptionalString(map, "deb");
        var host = reader.OptionalString(map, "host");
        if ((deb is null) == (host is null))
        {
            throw reader.Error(node, "a package names exactly one of 'deb:' (a Debian package) or 'host:' (a binary on the build host)");
        }

        if (host is not null && (map.ContainsKey("suite") || map.ContainsKey("from")))
        {
            throw reader.Error(node, "'suite:' and 'from:' belong to 'deb:' packages");
        }

        var binaries = map.TryGetValue("binaries", out var list) ? reader.Strings(list) : [];
        foreach (var binary in binaries.Where(b => !b.StartsWith('/')))
        {
            throw reader.Error(list, $"binary '{binary}' must be an absolute path inside the package, like /sbin/ipvsadm");
        }

        return new PackageSpec
        {
            Deb = deb,
            Host = host,
            Suite = reader.OptionalString(map, "suite"),
            From = reader.OptionalString(map, "from"),
            Binaries = binaries,
            Mode = map.TryGetValue("mode", out var mode)
                ? reader.Enum<InjectionMode>(mode, ("auto", InjectionMode.Auto), ("closure", InjectionMode.Closure), ("bundled", InjectionMode.Bundled))
                : InjectionMode.Auto,
            Line = (int)node.Start.Line,
        };
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex RecipeNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    /// <summary>Typed access to YAML nodes that turns every surprise into a located <see cref="RecipeException"/>.</summary>
    private sealed class NodeReader(string source)
    {
        public RecipeException Error(YamlNode? node, string problem) =>
            new(source, node is null ? 1 : (int)node.Start.Line, node is null ? 1 : (int)node.Start.Column, problem);

        public Dictionary<string, YamlNode> Mapping(YamlNode node, string what, params string[] allowedKeys)
        {
            if (node is not YamlMappingNode mapping)
            {
                throw Error(node, $"'{what}' must be a mapping of {string.Join(", ", allowedKeys)}");
            }

            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? "";
                if (!allowedKeys.Contains(key, StringComparer.Ordinal))
                {
                    throw Error(keyNode, $"unknown key '{key}' in {what} (allowed: {string.Join(", ", allowedKeys)})");
                }

                result[key] = value;
            }

            return result;
        }

        public string RequiredString(Dictionary<string, YamlNode> map, YamlNode owner, string key) =>
            OptionalString(map, key) ?? throw Error(owner, $"'{key}:' is required here");

        public string? OptionalString(Dictionary<string, YamlNode> map, string key)
        {
            if (!map.TryGetValue(key, out var node))
            {
                return null;
            }

            if (node is not YamlScalarNode scalar)
            {
                throw Error(node, $"'{key}' must be a single value");
            }

            // An unquoted empty value (or ~) means "not set".
            return string.IsNullOrEmpty(scalar.Value) || (scalar.Style == ScalarStyle.Plain && scalar.Value == "~") ? null : scalar.Value;
        }

        public IReadOnlyList<YamlNode> Sequence(YamlNode node) =>
            node is YamlSequenceNode sequence ? [.. sequence.Children] : throw Error(node, "must be a list (lines starting with '- ')");

        public IReadOnlyList<string> Strings(YamlNode node) =>
            [.. Sequence(node).Select(item => item is YamlScalarNode { Value: { Length: > 0 } value } ? value : throw Error(item, "list items must be single values"))];

        public T Enum<T>(YamlNode node, params (string Word, T Value)[] choices)
        {
            var word = (node as YamlScalarNode)?.Value;
            foreach (var (candidate, value) in choices)
            {
                if (string.Equals(candidate, word, StringComparison.Ordinal))
                {
                    return value;
                }
            }

            throw Error(node, string.Create(CultureInfo.InvariantCulture, $"'{word}' is not one of: {string.Join(", ", choices.Select(c => c.Word))}"));
        }
    }
}
