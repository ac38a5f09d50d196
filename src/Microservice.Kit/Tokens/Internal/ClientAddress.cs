using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>The client address of a request, as logged and as a rate-limiting partition.</summary>
internal static class ClientAddress
{
    public const string Unknown = "unknown";

    /// <summary>The connection's remote address (behind a proxy, what <c>UseForwardedHeaders</c> made of it), IPv4-mapped IPv6 as IPv4.</summary>
    public static string Of(HttpContext httpContext) => Normalize(httpContext.Connection.RemoteIpAddress)?.ToString() ?? Unknown;

    /// <summary>
    /// The partition of an address: an IPv4 address itself, an IPv6 address its /64 network, because one host is
    /// usually given a whole /64 and could otherwise take a fresh partition for every request.
    /// </summary>
    public static string PartitionOf(IPAddress? address)
    {
        address = Normalize(address);
        if (address is null)
        {
            return Unknown;
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    private static IPAddress? Normalize(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
