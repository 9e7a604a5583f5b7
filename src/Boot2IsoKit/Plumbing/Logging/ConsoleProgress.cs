using System.Globalization;

namespace Boot2IsoKit.Plumbing.Logging;

/// <summary>
/// Draws progress on standard error: one line rewritten in place on a terminal, a line every ten
/// percent when redirected (CI logs), never more often than twice a second.
/// </summary>
internal sealed class ConsoleProgress(string what) : IProgress<ProgressReport>
{
    private const long LargeWork = 16L << 20;

    private readonly object _gate = new();
    private long _lastTicks;
    private int _lastDecile = -1;

    public void Report(ProgressReport value)
    {
        lock (_gate)
        {
            var percent = value.Total > 0 ? (int)(100 * value.Done / value.Total) : -1;
            var finished = value.Total > 0 && value.Done >= value.Total;
            var text = percent >= 0
                ? string.Create(CultureInfo.InvariantCulture, $"{what}: {percent,3}% ({value.Done / 1048576.0:0.0} of {value.Total / 1048576.0:0.0} MiB)")
                : string.Create(CultureInfo.InvariantCulture, $"{what}: {value.Done / 1048576.0:0.0} MiB");
            if (!System.Console.IsErrorRedirected)
            {
                var now = Environment.TickCount64;
                if (finished || now - _lastTicks >= 500)
                {
                    _lastTicks = now;
                    System.Console.Error.Write("\r" + text.PadRight(72) + (finished ? "\n" : ""));
                }

                return;
            }

            // In a log, small transfers get one line when done; large ones a line every ten percent.
            var decile = value.Total >= LargeWork ? percent / 10 : (finished ? 10 : -1);
            if (percent >= 0 && decile >= 0 && decile != _lastDecile)
            {
                _lastDecile = decile;
                System.Console.Error.WriteLine(text);
            }
        }
    }
}
