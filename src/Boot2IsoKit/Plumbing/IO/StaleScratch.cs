using Boot2IsoKit.Plumbing.Logging;

namespace Boot2IsoKit.Plumbing.IO;

/// <summary>Removes what killed runs left (<see cref="ScratchDirectory.RemoveStale"/>) and says so in one log line.</summary>
internal static class StaleScratch
{
    public static void RemoveAndSay(string parent, string pattern, PipelineLog log)
    {
        var removed = ScratchDirectory.RemoveStale(parent, pattern);
        if (removed.Count > 0)
        {
            log.Info($"removed {removed.Count} scratch {(removed.Count == 1 ? "entry" : "entries")} left by killed runs: {string.Join(", ", removed)}");
        }
    }
}
