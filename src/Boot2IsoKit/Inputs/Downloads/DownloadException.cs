using System.Net;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Downloads;

/// <summary>A download failed. Carries the URL and, when the server answered, its HTTP status.</summary>
internal class DownloadException : Boot2IsoKitException
{
    public DownloadException(Uri url, string message, HttpStatusCode? status = null, Exception? inner = null)
        : base(message, inner!)
    {
        Url = url;
        Status = status;
    }

    public Uri Url { get; }

    public HttpStatusCode? Status { get; }
}

/// <summary>The file arrived whole but is not the one pinned: wrong sha256 or wrong size. Never retried.</summary>
internal sealed class DownloadVerificationException : DownloadException
{
    public DownloadVerificationException(Uri url, string message)
        : base(url, message)
    {
    }
}

/// <summary>The host could not be reached at all (DNS, refused, unreachable) after every retry.</summary>
internal sealed class DownloadUnreachableException : DownloadException
{
    public DownloadUnreachableException(Uri url, string message, Exception inner)
        : base(url, message, null, inner)
    {
    }
}
