using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.Verification;

/// <summary>qemu-system-x86_64 is not installed (or not where it was said to be); the message says how to install it.</summary>
internal sealed class QemuNotFoundException(string message) : Boot2IsoKitException(message)
{
    internal static QemuNotFoundException Create(string? configured) => new(
        (configured is null ? "qemu-system-x86_64 was not found on the PATH." : $"qemu-system-x86_64 is not at {configured} ({QemuLauncher.EnvironmentVariable}).")
        + " Verify boots the ISO in QEMU; install it:\n"
        + "  Debian/Ubuntu: sudo apt-get install qemu-system-x86\n"
        + "  macOS:         brew install qemu\n"
        + "  Windows:       winget install SoftwareFreedomConservancy.QEMU (or the installer from qemu.org), then add its folder to PATH\n"
        + $"or point {QemuLauncher.EnvironmentVariable} at the qemu-system-x86_64 binary.");
}
