namespace Smarketing.Core.Imports;

/// <summary>
/// Splits an upload into lines (LF or CRLF) without ever holding more than one line of at most
/// <see cref="ImportReader.MaxLineBytes"/> bytes: a longer line is dropped as it streams past and reported as too long.
/// A UTF-8 byte order mark at the start is skipped.
/// </summary>
internal sealed class JsonLineSplitter
{
    private readonly Stream _stream;
    private readonly byte[] _chunk = new byte[16 * 1024];
    private readonly byte[] _line = new byte[ImportReader.MaxLineBytes];
    private int _chunkPos;
    private int _chunkLen;
    private int _lineLen;
    private bool _inLine;
    private bool _endOfStream;
    private bool _started;

    public JsonLineSplitter(Stream stream) => _stream = stream;

    /// <summary>The 1-based number of the current line.</summary>
    public long Number { get; private set; }

    /// <summary>The current line's bytes, without its line end; valid until the next line is read.</summary>
    public ReadOnlyMemory<byte> Line => _line.AsMemory(0, _lineLen);

    /// <summary>True when the current line was longer than <see cref="ImportReader.MaxLineBytes"/> (<see cref="Line"/> is then empty).</summary>
    public bool TooLong { get; private set; }

    /// <summary>Moves to the next line; false at the end.</summary>
    public bool Next()
    {
        Begin();
        while (!TakeLine())
        {
            if (_endOfStream)
            {
                return End();
            }

            Received(_stream.Read(_chunk, 0, _chunk.Length));
        }

        return true;
    }

    /// <summary>Moves to the next line; false at the end.</summary>
    public async ValueTask<bool> NextAsync(CancellationToken cancellationToken)
    {
        Begin();
        while (!TakeLine())
        {
            if (_endOfStream)
            {
                return End();
            }

            Received(await _stream.ReadAsync(_chunk, cancellationToken));
        }

        return true;
    }

    private void Begin()
    {
        _lineLen = 0;
        _inLine = false;
        TooLong = false;
    }

    private void Received(int read)
    {
        _chunkLen = read;
        _chunkPos = 0;
        _endOfStream = read == 0;
        if (!_started && read > 0)
        {
            _started = true;
            if (_chunk.AsSpan(0, read).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                _chunkPos = 3;
            }
        }
    }

    // Moves the buffered bytes up to the next line end into the line; true when the line is complete.
    private bool TakeLine()
    {
        if (_chunkPos == _chunkLen)
        {
            return false;
        }

        _inLine = true;
        var rest = _chunk.AsSpan(_chunkPos, _chunkLen - _chunkPos);
        var newline = rest.IndexOf((byte)'\n');
        var part = newline < 0 ? rest : rest[..newline];
        if (!TooLong && _lineLen + part.Length <= _line.Length)
        {
            part.CopyTo(_line.AsSpan(_lineLen));
            _lineLen += part.Length;
        }
        else
        {
            TooLong = true;
            _lineLen = 0;
        }

        _chunkPos += part.Length;
        if (newline < 0)
        {
            return false;
        }

        _chunkPos++;
        return Complete();
    }

    // The last line of a file that does not end with a line end.
    private bool End() => _inLine && Complete();

    private bool Complete()
    {
        Number++;
        if (_lineLen > 0 && _line[_lineLen - 1] == '\r')
        {
            _lineLen--;
        }

        return true;
    }
}
