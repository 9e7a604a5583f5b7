using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Formats.Squashfs;

/// <summary>
/// A regular file's bytes, forward only: its full data blocks in order (a block stored with size 0 is a
/// sparse block of zeros), then its tail from a shared fragment block. One block is decoded at a time.
/// </summary>
internal sealed class SquashfsFileStream : ReadOnlyStream
{
    private readonly SquashfsImage _image;
    private readonly SquashfsInode _inode;
    private readonly int _blockSize;
    private readonly string _what;
    private byte[]? _buffer;
    private ReadOnlyMemory<byte> _current;
    private bool _currentIsZeros;
    private int _currentLength;
    private int _currentOffset;
    private int _nextBlock;
    private long _nextBlockStart;
    private long _position;

    public SquashfsFileStream(SquashfsImage image, SquashfsInode inode)
    {
        _image = image;
        _inode = inode;
        _blockSize = image.Superblock.BlockSize;
        _nextBlockStart = inode.BlocksStart;
        _what = $"file inode {inode.Number}";
    }

    public override long Length => _inode.FileSize;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0 || _position == _inode.FileSize)
        {
            return 0;
        }

        if (_currentOffset == _currentLength)
        {
            LoadNext();
        }

        var count = Math.Min(buffer.Length, _currentLength - _currentOffset);
        if (_currentIsZeros)
        {
            buffer[..count].Clear();
        }
        else
        {
            _current.Span.Slice(_currentOffset, count).CopyTo(buffer);
        }

        _currentOffset += count;
        _position += count;
        return count;
    }

    private void LoadNext()
    {
        var remaining = _inode.FileSize - _position;
        _currentOffset = 0;
        if (_nextBlock < _inode.BlockSizes.Length)
        {
            var word = _inode.BlockSizes[_nextBlock];
            var length = (int)Math.Min(_blockSize, remaining);
            var what = $"{_what}, data block {_nextBlock}";
            var stored = _image.DataBlockStoredSize(word, what);
            _nextBlock++;
            _currentLength = length;
            if (stored == 0)
            {
                _currentIsZeros = true;
                return;
            }

            _buffer ??= new byte[_blockSize];
            _current = _image.DataBlock((ulong)_nextBlockStart, word, length, exactLength: true, what, _buffer);
            _currentIsZeros = false;
            _nextBlockStart += stored;
            return;
        }

        if (!_inode.HasFragment)
        {
            throw _image.Error(_what, $"the file's blocks end {remaining} bytes before its size {_inode.FileSize}");
        }

        var fragment = _image.Fragment(_inode.FragmentIndex, _what);
        if (_inode.FragmentOffset + remaining > fragment.Length)
        {
            throw _image.Error(_what, $"the {remaining}-byte tail at offset {_inode.FragmentOffset} runs past the {fragment.Length}-byte fragment block {_inode.FragmentIndex}");
        }

        _current = fragment.AsMemory(_inode.FragmentOffset, (int)remaining);
        _currentLength = (int)remaining;
        _currentIsZeros = false;
    }
}
