using System.Buffers;
using System.Text.Unicode;

namespace Smarketing.Core.Imports;

/// <summary>
/// The text CsvHelper reads an upload through. It decodes strict UTF-8 itself so that a bad byte does not end the file: each
/// invalid sequence becomes <see cref="InvalidUtf8"/>, a lone surrogate that no valid UTF-8 decodes to, and the row that
/// holds it is rejected. It also bounds memory: it follows RFC 4180 record boundaries (as CsvHelper does) and cuts a record
/// longer than <see cref="ImportReader.MaxRowChars"/> characters to a short record marked with <see cref="Truncated"/>,
/// dropping the rest of it, so no row (not even an unclosed quote running to the end of the file) is ever held whole.
/// </summary>
internal sealed class CsvSourceReader : TextReader
{
    /// <summary>Stands for an invalid UTF-8 sequence.</summary>
    public const char InvalidUtf8 = '\uDC00';

    /// <summary>Marks a record cut at the row limit.</summary>
    public const char Truncated = '\uDC01';

    private const int ByteBufferSize = 16 * 1024;

    private readonly Stream _stream;
    private readonly int _maxRowChars;
    private readonly byte[] _bytes = new byte[ByteBufferSize];
    private readonly char[] _decoded = new char[ByteBufferSize];

    // Each decoded character yields at most three (a cut writes a marker, a closing quote and a line end for one dropped character).
    private readonly char[] _chars = new char[(3 * ByteBufferSize) + 3];
    private int _byteCount;
    private bool _endOfStream;
    private int _charPos;
    private int _charLen;
    private bool _started;

    private State _state = State.FieldStart;
    private int _rowChars;
    private bool _skipping;
    private bool _dropLineFeed;

    public CsvSourceReader(Stream stream, int maxRowChars)
    {
        _stream = stream;
        _maxRowChars = maxRowChars;
    }

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    /// <summary>True when <paramref name="text"/> holds <paramref name="marker"/> as a lone surrogate, not as half of a pair.</summary>
    public static bool Holds(string text, char marker)
    {
        for (var i = text.IndexOf(marker, StringComparison.Ordinal); i >= 0; i = text.IndexOf(marker, i + 1))
        {
            if (i == 0 || !char.IsHighSurrogate(text[i - 1]))
            {
                return true;
            }
        }

        return false;
    }

    public override int Peek() => _charPos < _charLen || Fill() ? _chars[_charPos] : -1;

    public override int Read() => _charPos < _charLen || Fill() ? _chars[_charPos++] : -1;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        if (_charPos == _charLen && !Fill())
        {
            return 0;
        }

        return Take(buffer);
    }

    public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        if (_charPos == _charLen && !await FillAsync(cancellationToken))
        {
            return 0;
        }

        return Take(buffer.Span);
    }

    private int Take(Span<char> buffer)
    {
        var n = Math.Min(buffer.Length, _charLen - _charPos);
        _chars.AsSpan(_charPos, n).CopyTo(buffer);
        _charPos += n;
        return n;
    }

    // Reads and decodes until some characters are ready; false at the end of the stream.
    private bool Fill()
    {
        _charPos = _charLen = 0;
        while (_charLen == 0 && !Done)
        {
            if (WantsBytes)
            {
                Received(_stream.Read(_bytes, _byteCount, _bytes.Length - _byteCount));
            }

            Decode();
        }

        return _charLen > 0;
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _charPos = _charLen = 0;
        while (_charLen == 0 && !Done)
        {
            if (WantsBytes)
            {
                Received(await _stream.ReadAsync(_bytes.AsMemory(_byteCount), cancellationToken));
            }

            Decode();
        }

        return _charLen > 0;
    }

    private bool Done => _byteCount == 0 && _endOfStream;

    private bool WantsBytes => !_endOfStream && _byteCount < _bytes.Length;

    private void Received(int read)
    {
        _byteCount += read;
        _endOfStream = read == 0;
    }

    private void Decode()
    {
        var status = Utf8.ToUtf16(_bytes.AsSpan(0, _byteCount), _decoded, out var consumed, out var written, replaceInvalidSequences: false, isFinalBlock: _endOfStream);
        for (var i = 0; i < written; i++)
        {
            Accept(_decoded[i]);
        }

        if (status == OperationStatus.InvalidData)
        {
            // One marker per invalid sequence: skip the bytes that cannot start a valid one.
            Accept(InvalidUtf8);
            consumed++;
            while (consumed < _byteCount && (_bytes[consumed] & 0xC0) == 0x80)
            {
                consumed++;
            }
        }

        _bytes.AsSpan(consumed, _byteCount - consumed).CopyTo(_bytes);
        _byteCount -= consumed;
    }

    private void Accept(char c)
    {
        if (!_started)
        {
            _started = true;
            if (c == '\uFEFF')
            {
                return;
            }
        }

        if (_dropLineFeed)
        {
            _dropLineFeed = false;
            if (c == '\n')
            {
                return;
            }
        }

        var before = _state;
        var end = Step(c);
        if (_skipping)
        {
            if (end)
            {
                _skipping = false;
                _rowChars = 0;
                _dropLineFeed = c == '\r';
            }

            return;
        }

        if (end)
        {
            _rowChars = 0;
            _chars[_charLen++] = c;
            return;
        }

        // Never cut between the halves of a surrogate pair.
        if (++_rowChars > _maxRowChars && !char.IsLowSurrogate(c))
        {
            _chars[_charLen++] = Truncated;
            if (before == State.Quoted)
            {
                _chars[_charLen++] = '"';
            }

            _chars[_charLen++] = '\n';
            _skipping = true;
            return;
        }

        _chars[_charLen++] = c;
    }

    // RFC 4180 as CsvHelper reads it: a quote opens a quoted field only at the start of a field; "" inside one is a quote.
    private bool Step(char c)
    {
        var newline = c is '\n' or '\r';
        switch (_state)
        {
            case State.Quoted:
                if (c == '"')
                {
                    _state = State.QuoteInQuoted;
                }

                return false;
            case State.QuoteInQuoted when c == '"':
                _state = State.Quoted;
                return false;
            case State.FieldStart when c == '"':
                _state = State.Quoted;
                return false;
            default:
                _state = c == ',' || newline ? State.FieldStart : State.Unquoted;
                return newline;
        }
    }
}
