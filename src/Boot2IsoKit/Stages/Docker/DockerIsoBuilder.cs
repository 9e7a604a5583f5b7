using System.Formats.Tar;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Stages.Planning;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Boot2IsoKit.Stages.Docker;

/// <summary>
/// The docker builder: renders the plan, builds the Dockerfile through the Docker Engine API, runs the
/// image with no network and writes what it prints to the ISO file (boot2docker's
/// <c>docker run --rm IMAGE &gt; boot2docker.iso</c> contract). If the run does not print an ISO, the
/// ISO is copied out of the container instead. Containers and images of the build are removed after.
/// </summary>
internal sealed class DockerIsoBuilder(DockerConnection connection) : IIsoBuilder
{
    private const string RunLabel = "org.boot2isokit.run";
    private const int LogTailLines = 40;

    /// <summary>
    /// Whether the engine may reuse layers of earlier builds (default). The output is the same either way;
    /// off, every step runs again (what a reproducibility check needs).
    /// </summary>
    public bool UseBuildCache { get; init; } = true;

    /// <summary>Where <see cref="IIsoBuilder.BuildAsync"/> renders the build context; default a temporary directory beside the output.</summary>
    public string? ContextDirectory { get; init; }

    /// <summary>Build steps as the engine reports them ("Step 3/9 : COPY ...").</summary>
    public IProgress<string>? Progress { get; init; }

    public string Name => "docker";

    async Task<BuildOutcome> IIsoBuilder.BuildAsync(BuildPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var directory = ContextDirectory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(plan.OutputPath))!, $".b2ik-docker-{plan.RecipeName}");
        var result = await BuildAsync(plan, directory, Progress, cancellationToken).ConfigureAwait(false);
        var sha256 = await FileHash.Sha256Async(result.IsoPath, cancellationToken).ConfigureAwait(false);
        var image = ((BuildBase.Image)plan.Base).Reference;
        return new BuildOutcome(result.IsoPath, sha256, $"Built {result.IsoPath} with the docker builder from {image} ({result.BuildSteps.Count} steps, ISO taken from {result.Extraction}; context in {directory})");
    }

    /// <summary>Renders <paramref name="plan"/> into <paramref name="contextDirectory"/>, builds it and writes <see cref="BuildPlan.OutputPath"/>.</summary>
    /// <example><c>await new DockerIsoBuilder(await DockerConnection.ConnectAsync()).BuildAsync(plan, "artifacts/experimental/docker");</c></example>
    public Task<DockerIsoResult> BuildAsync(BuildPlan plan, string contextDirectory, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var context = DockerfileRenderer.Render(plan, contextDirectory);
        return BuildAsync(context, ((BuildBase.Image)plan.Base).Reference, plan.OutputPath, progress, cancellationToken);
    }

    /// <summary>Builds a rendered context and writes the ISO to <paramref name="outputPath"/> atomically.</summary>
    public async Task<DockerIsoResult> BuildAsync(DockerBuildContext context, string baseImage, string outputPath, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        await RequireBaseImageAsync(baseImage, cancellationToken).ConfigureAwait(false);

        var run = Guid.NewGuid().ToString("N")[..12];
        var tag = "b2ik-build/iso:" + run;
        var log = new BuildLog(progress);
        string? containerId = null;
        var succeeded = false;
        try
        {
            await BuildImageAsync(context, tag, run, log, cancellationToken).ConfigureAwait(false);
            progress?.Report("Running the image to take its ISO");
            containerId = await CreateContainerAsync(tag, run, cancellationToken).ConfigureAwait(false);
            var how = await WriteIsoAsync(containerId, context.Contract.IsoPath, outputPath, cancellationToken).ConfigureAwait(false);
            succeeded = true;
            return new DockerIsoResult(Path.GetFullPath(outputPath), new FileInfo(outputPath).Length, how, log.Steps);
        }
        finally
        {
            await CleanUpAsync(containerId, tag, succeeded ? [] : log.IntermediateImages).ConfigureAwait(false);
        }
    }

    private async Task RequireBaseImageAsync(string baseImage, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseImage);
        try
        {
            await connection.Client.Images.InspectImageAsync(baseImage, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException)
        {
            throw new BaseImageMissingException(
                $"The base image '{baseImage}' is not in the Docker engine at {connection.Endpoint}. " +
                $"Load or build it first (docker load / docker pull {baseImage}), or name another image with --base-image=NAME.");
        }
    }

    private async Task BuildImageAsync(DockerBuildContext context, string tag, string run, BuildLog log, CancellationToken cancellationToken)
    {
        var parameters = new ImageBuildParameters
        {
            Dockerfile = DockerBuildContext.DockerfileName,
            Tags = [tag],
            Labels = new Dictionary<string, string> { [RunLabel] = run },
            // Intermediate containers go even when a step fails; the base image is never pulled implicitly.
            Remove = true,
            ForceRemove = true,
            NoCache = !UseBuildCache,
            // Nothing is downloaded in the build (engines without a bridge network need "none").
            NetworkMode = "none",
        };

        // The context tar is produced while the engine reads it: no temporary file, no buffer of the engine tgz.
        var pipe = new Pipe();
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    await BuildContextArchive.WriteAsync(context, pipe.Writer.AsStream(leaveOpen: true), cancellationToken).ConfigureAwait(false);
                    await pipe.Writer.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
                }
            },
            cancellationToken);

        try
        {
            await using var body = pipe.Reader.AsStream();
            await connection.Client.Images.BuildImageFromDockerfileAsync(parameters, body, null, null, log, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            throw new DockerEngineException($"The engine refused the image build: {e.ResponseBody?.Trim()}", log.Tail());
        }
        finally
        {
            await producer.ConfigureAwait(false);
        }

        if (log.Error is { } error)
        {
            var scriptFailed = log.CurrentStep == context.IsoScriptStep;
            throw new DockerEngineException(
                scriptFailed ? $"The image's ISO script failed: {error}" : $"The image build failed at step {log.CurrentStep}: {error}",
                log.Tail(),
                scriptFailed ? DockerFailure.IsoScript : DockerFailure.BuildStep);
        }
    }

    private async Task<string> CreateContainerAsync(string image, string run, CancellationToken cancellationToken)
    {
        var created = await connection.Client.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Image = image,
                Labels = new Dictionary<string, string> { [RunLabel] = run },
                AttachStdout = true,
                AttachStderr = true,
                // No TTY: the image's CMD then cats the ISO instead of starting a shell.
                Tty = false,
                NetworkDisabled = true,
                HostConfig = new HostConfig { NetworkMode = "none" },
            },
            cancellationToken).ConfigureAwait(false);
        return created.ID;
    }

    /// <summary>Takes the ISO from the container's stdout; falls back to copying it out of the container's file system.</summary>
    private async Task<IsoExtraction> WriteIsoAsync(string containerId, string isoPathInImage, string outputPath, CancellationToken cancellationToken)
    {
        string problem;
        try
        {
            var attempt = await WriteFromStdoutAsync(containerId, outputPath, cancellationToken).ConfigureAwait(false);
            if (attempt.Written)
            {
                return IsoExtraction.Stdout;
            }

            problem = attempt.Problem!;
        }
        catch (DockerApiException e)
        {
            problem = e.ResponseBody?.Trim() ?? e.Message;
        }

        try
        {
            await AtomicFile.WriteAsync(outputPath, (file, ct) => CopyFromContainerAsync(containerId, isoPathInImage, file, ct), cancellationToken).ConfigureAwait(false);
            return IsoExtraction.ContainerArchive;
        }
        catch (Exception e) when (e is DockerApiException or DockerContainerNotFoundException or InvalidDataException)
        {
            // Not MalformedInput.Is: this block also writes the ISO, and an IOException here is the engine connection's
            // or the output's, not a missing ISO. InvalidDataException is TarReader's corrupt archive or our "no ISO".
            throw new DockerEngineException(
                $"The image printed no ISO ({problem.Trim()}), and {isoPathInImage} could not be copied out of it ({e.Message}).",
                failure: DockerFailure.NoIso);
        }
    }

    /// <summary>Runs the container with stdout into the ISO file; says whether it wrote an ISO, else why not (stderr tail, exit code).</summary>
    private async Task<StdoutAttempt> WriteFromStdoutAsync(string containerId, string outputPath, CancellationToken cancellationToken)
    {
        try
        {
            await AtomicFile.WriteAsync(
                outputPath,
                async (file, ct) =>
                {
                    var stderr = new StringBuilder();
                    using (var stream = await connection.Client.Containers.AttachContainerAsync(
                        containerId, new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true }, ct).ConfigureAwait(false))
                    {
                        await connection.Client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), ct).ConfigureAwait(false);
                        await Demultiplex(stream, file, stderr, ct).ConfigureAwait(false);
                    }

                    var exit = await connection.Client.Containers.WaitContainerAsync(containerId, ct).ConfigureAwait(false);
                    if (exit.StatusCode != 0)
                    {
                        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"the container exited with {exit.StatusCode}: {Last(stderr.ToString(), 2000)}"));
                    }

                    if (!await IsoSignature.IsIso9660Async(file, ct).ConfigureAwait(false))
                    {
                        throw new InvalidDataException($"its output is not an ISO 9660 image ({file.Length} bytes; stderr: {Last(stderr.ToString(), 2000)})");
                    }
                },
                cancellationToken).ConfigureAwait(false);
            return new StdoutAttempt(null);
        }
        catch (InvalidDataException e)
        {
            return new StdoutAttempt(e.Message);
        }
    }

    /// <summary>The outcome of taking the ISO from stdout: written, or the reason it was not.</summary>
    private readonly record struct StdoutAttempt(string? Problem)
    {
        public bool Written => Problem is null;
    }

    /// <summary>
    /// Without a TTY the engine frames stdout and stderr (8-byte headers); the ISO is only the stdout
    /// frames. stderr is kept (bounded) for the error message.
    /// </summary>
    private static async Task Demultiplex(MultiplexedStream stream, Stream stdout, StringBuilder stderr, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF)
            {
                return;
            }

            if (read.Target == MultiplexedStream.TargetStream.StandardOut)
            {
                await stdout.WriteAsync(buffer.AsMemory(0, read.Count), cancellationToken).ConfigureAwait(false);
            }
            else if (stderr.Length < 64 * 1024)
            {
                stderr.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
            }
        }
    }

    private async Task CopyFromContainerAsync(string containerId, string path, Stream file, CancellationToken cancellationToken)
    {
        var archive = await connection.Client.Containers.GetArchiveFromContainerAsync(
            containerId, new ContainerPathStatParameters { Path = path }, statOnly: false, cancellationToken).ConfigureAwait(false);
        var tarStream = archive.Stream ?? throw new InvalidDataException($"the engine sent no archive for {path}");
        await using (tarStream.ConfigureAwait(false))
        {
            var reader = new TarReader(tarStream);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data)
                    {
                        await data.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                        if (!await IsoSignature.IsIso9660Async(file, cancellationToken).ConfigureAwait(false))
                        {
                            throw new InvalidDataException($"{path} in the image is not an ISO 9660 image");
                        }

                        return;
                    }
                }
            }
        }

        throw new InvalidDataException($"the container has no file at {path}");
    }

    /// <summary>Best effort: the build's container and image, and on failure the layers it left untagged.</summary>
    private async Task CleanUpAsync(string? containerId, string tag, IReadOnlyList<string> intermediates)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        if (containerId is not null)
        {
            await Quietly(() => connection.Client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true }, timeout.Token)).ConfigureAwait(false);
        }

        // Removing the tag also removes its untagged parents: the intermediate images of this build.
        await Quietly(() => connection.Client.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true, NoPrune = false }, timeout.Token)).ConfigureAwait(false);
        foreach (var image in intermediates.Reverse())
        {
            // Not forced: an image another build still uses (as a parent or a cache hit) stays.
            await Quietly(() => connection.Client.Images.DeleteImageAsync(image, new ImageDeleteParameters { NoPrune = false }, timeout.Token)).ConfigureAwait(false);
        }
    }

    private static async Task Quietly(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            // Clean-up must not hide the build's own outcome.
        }
    }

    private static string Last(string text, int length) => text.Length <= length ? text.Trim() : "..." + text[^length..].Trim();

    /// <summary>Collects the engine's build messages: steps for the caller, a bounded tail for errors, the layer ids for clean-up.</summary>
    private sealed class BuildLog(IProgress<string>? progress) : IProgress<JSONMessage>
    {
        private readonly Queue<string> _tail = new();
        private readonly List<string> _steps = [];
        private readonly List<string> _intermediates = [];
        private readonly StringBuilder _partial = new();
        /// <summary>True while the next "---> id" names an image this build did not create.</summary>
        private bool _cacheHit;

        public string? Error { get; private set; }

        /// <summary>The number of the step the engine is running ("Step N/M"), 0 before the first.</summary>
        public int CurrentStep { get; private set; }

        public IReadOnlyList<string> Steps => _steps;

        public IReadOnlyList<string> IntermediateImages => _intermediates;

        public void Report(JSONMessage value)
        {
            if (value.Error is { } error)
            {
                Error = error.Message ?? "unknown error";
                Line("ERROR: " + Error);
            }

            if (value.Stream is { } text)
            {
                _partial.Append(text);
                var all = _partial.ToString();
                var end = all.LastIndexOf('\n');
                if (end >= 0)
                {
                    foreach (var line in all[..end].Split('\n'))
                    {
                        Line(line.TrimEnd('\r'));
                    }

                    _partial.Clear().Append(all[(end + 1)..]);
                }
            }
        }

        public string Tail() => string.Join('\n', _tail.Concat(_partial.Length > 0 ? [_partial.ToString()] : []));

        private void Line(string line)
        {
            _tail.Enqueue(line);
            if (_tail.Count > LogTailLines)
            {
                _tail.Dequeue();
            }

            var trimmed = line.Trim();
            if (trimmed.StartsWith("Step ", StringComparison.Ordinal))
            {
                _steps.Add(trimmed);
                var number = trimmed["Step ".Length..].Split('/', ' ')[0];
                CurrentStep = int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var step) ? step : CurrentStep;
                progress?.Report(trimmed);
                // The id after FROM is the base image: never ours to remove.
                _cacheHit = trimmed.Contains(" : FROM ", StringComparison.OrdinalIgnoreCase);
            }
            else if (trimmed.StartsWith("---> Using cache", StringComparison.Ordinal))
            {
                // A cached layer may be shared with other builds: leave it.
                _cacheHit = true;
            }
            else if (trimmed.StartsWith("---> ", StringComparison.Ordinal) && !trimmed.StartsWith("---> Running in", StringComparison.Ordinal))
            {
                if (!_cacheHit)
                {
                    _intermediates.Add(trimmed[5..].Trim());
                }

                _cacheHit = false;
            }
        }
    }
}

/// <summary>How the ISO left the container.</summary>
internal enum IsoExtraction
{
    /// <summary>The image's CMD printed it (the boot2docker contract).</summary>
    Stdout,

    /// <summary>Copied from the ISO script's output path through the container archive API.</summary>
    ContainerArchive,
}

/// <summary>The written ISO and how the build went.</summary>
internal sealed record DockerIsoResult(string IsoPath, long Length, IsoExtraction Extraction, IReadOnlyList<string> BuildSteps);
