using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Boot2IsoKit.Testing.Http;

/// <summary>Replies a download site gives: a file with ETag and byte ranges, a cut connection, a stall.</summary>
internal static class LoopbackResponses
{
    /// <summary>
    /// Serves <paramref name="content"/> with a strong ETag, honouring <c>Range: bytes=N-</c> (206) when
    /// <paramref name="ranges"/>, guarded by If-Range. With <paramref name="cutAfter"/>, the connection is
    /// aborted after that many body bytes (the headers still announce the full length).
    /// </summary>
    public static async Task FileAsync(HttpContext context, byte[] content, string etag, bool ranges = true, long? cutAfter = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(content);
        var response = context.Response;
        var from = 0L;
        var range = context.Request.Headers.Range.ToString();
        var ifRange = context.Request.Headers.IfRange.ToString();
        if (ranges && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-') && (ifRange.Length == 0 || ifRange == etag))
        {
            from = long.Parse(range["bytes=".Length..^1], CultureInfo.InvariantCulture);
            if (from >= content.Length)
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = $"bytes */{content.Length}";
                return;
            }

            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }

        response.Headers.ETag = etag;
        if (ranges)
        {
            response.Headers.AcceptRanges = "bytes";
        }

        response.ContentType = "application/octet-stream";
        response.ContentLength = content.Length - from;
        var end = cutAfter is { } cut ? Math.Min(content.Length, from + cut) : content.Length;
        await response.Body.WriteAsync(content.AsMemory((int)from, (int)(end - from)), context.RequestAborted);
        if (end < content.Length)
        {
            await response.Body.FlushAsync(context.RequestAborted);
            context.Abort();
        }
    }

    /// <summary>Sends the headers and <paramref name="prefix"/> bytes, then goes silent until the client gives up.</summary>
    public static async Task StallAsync(HttpContext context, long announcedLength, int prefix)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.ContentLength = announcedLength;
        await context.Response.Body.WriteAsync(new byte[prefix], context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client hung up, which is what the test waits for.
        }
    }

    public static string Quote(string tag) => new EntityTagHeaderValue($"\"{tag}\"").ToString();
}
