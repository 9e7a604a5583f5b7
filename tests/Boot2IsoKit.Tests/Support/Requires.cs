using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Tests.Support;

/// <summary>
/// Guards for tests that need an outside component. On a developer machine a missing tool skips the
/// test and says why; under CI=true it fails, because CI must have installed it.
/// </summary>
public static class Requires
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string Tool(string name)
    {
        var path = ExternalTool.Find(name);
        if (path is not null)
        {
            return path;
        }

        Missing($"the tool '{name}' is not installed");
        return name;
    }

    public static void Tools(params string[] names)
    {
        foreach (var name in names)
        {
            Tool(name);
        }
    }

    /// <summary>Skips (developer) or fails (CI) with the reason.</summary>
    public static void Missing(string reason)
    {
        if (InCi)
        {
            Assert.Fail($"CI must provide this: {reason}");
        }

        Assert.Skip(reason);
    }
}
