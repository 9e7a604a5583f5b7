using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Stages.DaemonSettings;

/// <summary>
/// The recipe's <c>daemon:</c> as rootfs entries. Three facts of the real system decide the shape:
/// boot2docker's files/init.d/docker links /etc/docker to the persisted /var/lib/boot2docker/etc/docker only when
/// the rootfs has no /etc/docker (so nothing of ours goes there); docker-machine rewrites
/// /var/lib/boot2docker/profile's EXTRA_ARGS (libmachine/provision/boot2docker.go), so nothing of ours goes there
/// either; and dockerd refuses to start when one directive is both a flag and in its configuration file. So the
/// engine's dockerd moves to <see cref="EnginePath"/> and a small script takes its place (Scripts/dockerd): each
/// directive that has a flag is passed as flags before the init script's own arguments (flags never conflict with
/// flags: lists add up, a single value given later wins), the rest is merged with the user's daemon.json at start,
/// and a directive the user's daemon.json sets itself is left out, with a line in docker.log.
/// </summary>
internal static class DockerdWrapper
{
    public const string DaemonPath = "usr/local/bin/dockerd";

    /// <summary>Where the engine's own dockerd goes; the script execs it, so the daemon's pid names it.</summary>
    public const string EnginePath = "/usr/local/lib/b2ik/dockerd";

    /// <summary>One file per directive: <c>KEY.args</c> (flag arguments, one a line) or <c>KEY.json</c> (<c>"KEY": VALUE</c>).</summary>
    public const string SettingsDirectory = "usr/local/etc/b2ik/daemon";

    /// <summary>
    /// Moves the engine's dockerd (already in <paramref name="delta"/>) behind the script and adds one file per directive
    /// (none: the script only starts the image loader, Stages/Images).
    /// </summary>
    /// <param name="engineVersion">The pinned engine: a directive newer than it is refused.</param>
    /// <param name="line">The recipe line that asks for the script (the first directive, or images:), for the error without an engine.</param>
    /// <returns>What was chosen, for the build log.</returns>
    public static string AddTo(RootfsOverlay delta, IReadOnlyList<DaemonSetting> settings, string engineVersion, string recipe, int line, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(settings);
        var engine = ParseVersion(engineVersion);
        foreach (var setting in settings)
        {
            var option = DockerdOptions.Find(setting.Key) ?? throw new InvalidOperationException("the recipe loader checks daemon keys");
            if (option.Since is { } since && engine is not null && engine < since)
            {
                throw new InvalidInputException(recipe, $"line {setting.Line}", $"daemon key '{setting.Key}' needs dockerd {since.Major}.{since.Minor:00} or later; the pinned engine is {engineVersion}");
            }
        }

        if (!delta.TryGet(DaemonPath, out var dockerd) || dockerd.Kind != RootfsEntryKind.File)
        {
            throw new InvalidInputException(recipe, $"line {line}", "'daemon:' and 'images:' need a pinned engine with a dockerd (engine: with a tgz that has docker/dockerd): the script in front of its dockerd applies the settings and starts the image loader");
        }

        delta.Add(dockerd with { Path = EnginePath });
        delta.Add(RootfsEntry.File(DaemonPath, BytesContent.FromText(Script(), "/" + DaemonPath + " (daemon settings)"), 0x1ED, "daemon:") with { ModificationTime = timestamp });
        var asFlags = new List<string>();
        var inFile = new List<string>();
        foreach (var setting in settings)
        {
            var option = DockerdOptions.Find(setting.Key)!;
            var (name, text) = option.Flag is { } flag
                ? (setting.Key + ".args", string.Concat(FlagArguments(flag, setting.Value).Select(a => a + "\n")))
                : (setting.Key + ".json", JsonSerializer.Serialize(setting.Key) + ": " + setting.Value.ToJsonString() + "\n");
            (option.Flag is null ? inFile : asFlags).Add(setting.Key);
            delta.Add(RootfsEntry.File(SettingsDirectory + "/" + name, BytesContent.FromText(text, "/" + SettingsDirectory + "/" + name), origin: "daemon: " + setting.Key) with { ModificationTime = timestamp });
        }

        var chosen = new StringBuilder("/usr/local/bin/dockerd is a script in front of the engine's dockerd (now " + EnginePath + "); nothing goes into /etc/docker, which stays linked to the data disk");
        if (asFlags.Count > 0)
        {
            chosen.Append(CultureInfo.InvariantCulture, $"; {string.Join(", ", asFlags)} passed as dockerd flags before the profile's EXTRA_ARGS (docker-machine's --label, --insecure-registry, --registry-mirror add to them; a single-valued flag the profile also gives wins)");
        }

        if (inFile.Count > 0)
        {
            chosen.Append(CultureInfo.InvariantCulture, $"; {string.Join(", ", inFile)} (no flag exists) merged with /etc/docker/daemon.json into /var/run/b2ik/daemon.json at each start");
        }

        return settings.Count == 0
            ? chosen.Append("; it starts the image loader at each daemon start").ToString()
            : chosen.Append("; a directive the user's /etc/docker/daemon.json sets itself wins, and the baked one is left out with a line in docker.log").ToString();
    }

    /// <summary>The directive as dockerd's flags: one <c>--flag=value</c> per list item or map entry.</summary>
    internal static IReadOnlyList<string> FlagArguments(string flag, JsonNode value) => value switch
    {
        JsonArray items => [.. items.Select(item => $"{flag}={item!.GetValue<string>()}")],
        JsonObject map => [.. map.Select(pair => $"{flag}={pair.Key}={Scalar(pair.Value!)}")],
        _ => [$"{flag}={Scalar(value)}"],
    };

    /// <summary>The whole daemon.json the settings amount to (for the build record and tests).</summary>
    public static JsonObject AsDaemonJson(IReadOnlyList<DaemonSetting> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var json = new JsonObject();
        foreach (var setting in settings)
        {
            json[setting.Key] = setting.Value.DeepClone();
        }

        return json;
    }

    private static string Scalar(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetValue<long>().ToString(CultureInfo.InvariantCulture),
        _ => value.GetValue<string>(),
    };

    private static Version? ParseVersion(string engineVersion)
    {
        var parts = engineVersion.Split('.', '-');
        return parts.Length >= 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            ? new Version(major, minor)
            : null;
    }

    private static string Script()
    {
        using var stream = typeof(DockerdWrapper).Assembly.GetManifestResourceStream("Boot2IsoKit.Stages.DaemonSettings.Scripts.dockerd")
            ?? throw new InvalidOperationException("the library has no embedded Stages/DaemonSettings/Scripts/dockerd");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
