using System.Runtime.InteropServices;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.Pipeline;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM stop the running target: the first one cancels <see cref="Token"/>, so the
/// work unwinds through its cancellation checks (scratch removed, no output replaced) and the target fails
/// with <see cref="BuildStoppedException"/>. A second Ctrl-C, or a signal that comes while no
/// <see cref="RunAsync"/> is running, ends the process at once. (A repeated SIGTERM does not: the dotnet
/// host that runs Cake passes its own SIGTERM on, so one kill of the process group arrives twice.) Without this the signal never reaches the pipeline: the Cake host
/// keeps running the target to its end.
/// </summary>
/// <example><c>using var stop = StopSignals.Register(); await pipeline.BuildAsync(recipe, stop.Token);</c></example>
public sealed class StopSignals : IDisposable
{
    /// <summary>The exit code a second signal ends the process with (128 + SIGINT's number, as shells report it).</summary>
    public const int ForcedExitCode = 130;

    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly TextWriter _log;
    private int _received;
    private int _running;

    private StopSignals(TextWriter log)
    {
        _log = log;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>The signal that stopped the run, once one came.</summary>
    public PosixSignal? Signal { get; private set; }

    /// <param name="log">Where the one "stopping" line goes (default standard error).</param>
    public static StopSignals Register(TextWriter? log = null) => new(log ?? Console.Error);

    /// <summary>Runs <paramref name="work"/> with <see cref="Token"/>; a cancellation caused by a signal becomes <see cref="BuildStoppedException"/>.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Interlocked.Increment(ref _running);
        try
        {
            return await work(Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (Token.IsCancellationRequested)
        {
            throw new BuildStoppedException(Signal ?? PosixSignal.SIGINT, e);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public async Task RunAsync(Func<CancellationToken, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await RunAsync(async token =>
        {
            await work(token).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        var first = Interlocked.Increment(ref _received) == 1;
        if ((!first && context.Signal == PosixSignal.SIGINT) || Volatile.Read(ref _running) == 0)
        {
            _log.WriteLine($"{context.Signal}: stopping now.");
            Environment.Exit(ForcedExitCode);
        }

        if (!first)
        {
            return;
        }

        Signal = context.Signal;
        _log.WriteLine($"{context.Signal}: stopping (removing this run's scratch; the previous output stays as it was)...");
        // Cancellation callbacks run on the caller: keep them off the signal-handling thread.
        _ = Task.Run(_stop.Cancel);
    }
}

/// <summary>The run was stopped by a signal (Ctrl-C, SIGTERM) before it finished; nothing was replaced.</summary>
internal sealed class BuildStoppedException(PosixSignal signal, Exception inner)
    : Boot2IsoKitException($"Stopped by {signal} before the end: this run's scratch was removed and no output was replaced.", inner)
{
    public PosixSignal Signal { get; } = signal;
}
