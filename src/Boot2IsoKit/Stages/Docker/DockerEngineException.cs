using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.Docker;

/// <summary>A failure of the docker builder: no engine, a missing base image, a failed build or run.</summary>
internal class DockerEngineException : Boot2IsoKitException
{
    public DockerEngineException(string message, string? logTail = null, DockerFailure failure = DockerFailure.Engine)
        : base(logTail is null ? message : message + "\n--- last lines of the log ---\n" + logTail)
    {
        LogTail = logTail;
        Failure = failure;
    }

    /// <summary>Which part of the docker build failed.</summary>
    public DockerFailure Failure { get; }

    public DockerEngineException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The end of the build or ISO-script output, when there was one.</summary>
    public string? LogTail { get; }
}

/// <summary>No Docker engine answered at the endpoint.</summary>
internal sealed class DockerEngineUnavailableException(string message, Exception inner) : DockerEngineException(message, inner);

/// <summary>The base image is not present in the engine (the builder never pulls implicitly).</summary>
internal sealed class BaseImageMissingException(string message) : DockerEngineException(message);

/// <summary>The part of a docker build that failed.</summary>
internal enum DockerFailure
{
    /// <summary>The engine refused a request or could not be reached.</summary>
    Engine,

    /// <summary>A step of the Dockerfile before the ISO script.</summary>
    BuildStep,

    /// <summary>The image's own ISO script (make_iso.sh, make-b2d-iso.sh).</summary>
    IsoScript,

    /// <summary>The image ran but gave no ISO.</summary>
    NoIso,
}
