namespace Boot2IsoKit.Testing.Qemu;

/// <summary>The console of a QEMU boot lacks what a test looked for; the message carries a console excerpt.</summary>
internal sealed class BootAssertionException(string message) : Exception(message);
