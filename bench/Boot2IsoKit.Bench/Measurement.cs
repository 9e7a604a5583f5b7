using System.Diagnostics;
using System.Globalization;

namespace Boot2IsoKit.Bench;

/// <summary>Wall time and peak resident memory of one whole process, as GNU time reports them.</summary>
public sealed record Measurement(string Case, double Seconds, long PeakKilobytes)
{
    /// <summary>Runs a command under /usr/bin/time and returns its measurement; throws if the command fails.</summary>
    public static Measurement Run(string name, string program, params string[] arguments)
    {
        var report = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-f", "%e %M", "-o", report, program }.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{name}: {program} exited with {process.ExitCode}: {stderr}{stdout.Result}");
            }

            var fields = File.ReadAllLines(report).Last().Split(' ');
            return new Measurement(name, double.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(report);
        }
    }

    /// <summary>The best of several runs: the least disturbed by whatever else the machine does.</summary>
    public static Measurement Best(int runs, Func<Measurement> measure)
    {
        ArgumentNullException.ThrowIfNull(measure);
        return Best([.. Enumerable.Range(0, runs).Select(_ => measure())]);
    }

    /// <summary>The fastest of several runs of one case, with the highest peak memory any of them had.</summary>
    public static Measurement Best(IReadOnlyList<Measurement> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var fastest = results.MinBy(r => r.Seconds)!;
        return fastest with { PeakKilobytes = results.Max(r => r.PeakKilobytes) };
    }
}

/// <summary>One measured command: a name for the table, the process to run, and what to do before each run.</summary>
public sealed record BenchCase(string Name, string Program, string[] Arguments, Action? Before = null);
