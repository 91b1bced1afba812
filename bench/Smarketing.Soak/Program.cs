using System.Globalization;
using System.Runtime.InteropServices;
using Smarketing.Soak;
using Spectre.Console;

// The chaos soak (bench/soak/run.sh runs it).
//   drive <table-port> <queue-port> [--leads N] [--ci] [--seed N] [--concurrency N]: the whole soak; exits 1 if a requirement fails.
//   host Key=Value...: the app process the driver starts, kills and restarts.
switch (args.FirstOrDefault())
{
    case "host":
        return await SoakHost.RunAsync(args[1..]);
    case "drive" when args.Length >= 3:
        var tablePort = int.Parse(args[1], CultureInfo.InvariantCulture);
        var queuePort = int.Parse(args[2], CultureInfo.InvariantCulture);
        var rest = args[3..];
        var options = rest.Contains("--ci") ? SoakOptions.Ci(tablePort, queuePort) : new SoakOptions { TablePort = tablePort, QueuePort = queuePort };
        for (var i = 0; i < rest.Length - 1; i++)
        {
            var value = int.Parse(rest[i + 1], CultureInfo.InvariantCulture);
            options = rest[i] switch
            {
                "--leads" => options with { Leads = value },
                "--seed" => options with { Seed = value },
                "--concurrency" => options with { Concurrency = value },
                _ => options,
            };
        }

        using (var stop = new CancellationTokenSource())
        using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
               {
                   // Stop cleanly, so the app process the driver started is killed with it.
                   context.Cancel = true;
                   stop.Cancel();
               }))
        using (var driver = new SoakDriver(options, AnsiConsole.Console))
        {
            var result = await driver.RunAsync(stop.Token);
            result.Print(AnsiConsole.Console, options);
            return result.Passed ? 0 : 1;
        }

    default:
        Console.Error.WriteLine("usage: Smarketing.Soak drive <table-port> <queue-port> [--ci] [--leads N] [--seed N] [--concurrency N] | host Key=Value...");
        return 2;
}
