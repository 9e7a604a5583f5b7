namespace Boot2IsoKit.Inputs.Downloads;

/// <param name="Description">What is being fetched (the request's description or file name).</param>
/// <param name="BytesReceived">Bytes in the partial file so far, including any resumed part.</param>
/// <param name="TotalBytes">The full size when the server or the request says it, else null.</param>
internal sealed record DownloadProgress(string Description, long BytesReceived, long? TotalBytes);
