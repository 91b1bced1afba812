using System.Net;
using System.Net.Sockets;

namespace Smarketing.Soak;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of one Azurite port that resets a share of the connections it carries
/// (RST, not FIN): half of those before the request reaches storage, half after the request went through but
/// before the answer came back, so the client cannot know whether its write happened.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly double _resetRatio;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;
    private long _connections;
    private long _resets;

    public FaultProxy(int upstreamPort, double resetRatio, int seed)
    {
        _upstream = new IPEndPoint(IPAddress.Loopback, upstreamPort);
        _resetRatio = resetRatio;
        _random = new Random(seed);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>False once the faults have stopped: connections are carried untouched.</summary>
    public bool Faulty { get; set; } = true;

    public long Connections => Interlocked.Read(ref _connections);

    public long Resets => Interlocked.Read(ref _resets);

    public void Start()
    {
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection reset while it waited in the backlog (the app was killed), or the process ran out of
                // descriptors for a moment: the proxy goes on accepting. Before, one such error ended the accept loop
                // while the listener stayed open, and every later connection hung in the backlog unanswered.
                Console.Error.WriteLine($"fault proxy: accept failed ({ex.SocketErrorCode}); accepting again");
                await Task.Delay(10, CancellationToken.None);
                continue;
            }

            Interlocked.Increment(ref _connections);
            double roll;
            lock (_random)
            {
                roll = _random.NextDouble();
            }

            var reset = Faulty && roll < _resetRatio;
            _ = Task.Run(() => CarryAsync(client, reset ? (roll < _resetRatio / 2 ? ResetPoint.BeforeRequest : ResetPoint.AfterRequest) : ResetPoint.Never));
        }
    }

    private enum ResetPoint
    {
        Never,
        BeforeRequest,
        AfterRequest,
    }

    private async Task CarryAsync(Socket client, ResetPoint reset)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using (client)
        {
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(_upstream, _stop.Token);
                var buffer = new byte[64 * 1024];
                if (reset != ResetPoint.Never)
                {
                    var first = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (reset == ResetPoint.AfterRequest && first > 0)
                    {
                        await upstream.SendAsync(buffer.AsMemory(0, first), SocketFlags.None, _stop.Token);

                        // Let storage act on the request before the client's connection goes.
                        await Task.Delay(50, _stop.Token);
                    }

                    Interlocked.Increment(ref _resets);
                    client.LingerState = new LingerOption(true, 0);
                    return;
                }

                using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(client, upstream, linked.Token);
                var down = PumpAsync(upstream, client, linked.Token);
                await Task.WhenAny(up, down);
                await linked.CancelAsync();
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The other side went away; so does this connection.
            }
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed on one side.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
