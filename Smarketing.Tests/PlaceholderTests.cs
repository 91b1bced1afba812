namespace Smarketing.Tests;
