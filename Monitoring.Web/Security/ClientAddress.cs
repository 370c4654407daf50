namespace Monitoring.Web.Security;

/// <summary>The browser's address as the circuit's first request saw it, cascaded to every page so console
/// actions are audited with it like API calls are.</summary>
public sealed record ClientAddress(string? Address);
