import AtomoServer
import Foundation
import Testing

/// `--trusted-proxy` networks and the client address they let `X-Forwarded-For` decide.
@Suite("CIDR and the client address")
struct CIDRTests {
    @Test("IPv4 and IPv6 networks parse, contain what they should, and print canonically")
    func parseAndContain() throws {
        let v4 = try CIDR("10.0.0.0/8")
        #expect(v4.contains("10.255.1.2"))
        #expect(v4.contains("::ffff:10.1.2.3"), "an IPv4-mapped IPv6 peer is its IPv4 address")
        #expect(!v4.contains("11.0.0.1"))
        #expect(!v4.contains("::1"))
        #expect(!v4.contains("not an address"))
        #expect(v4.description == "10.0.0.0/8")
        let host = try CIDR(" 192.0.2.7 ")
        #expect(host.prefixLength == 32 && host.contains("192.0.2.7") && !host.contains("192.0.2.8"))
        let v6 = try CIDR("fd00::/8")
        #expect(v6.contains("fd12:3456::1"))
        #expect(v6.contains("[fd00::1]"))
        #expect(!v6.contains("fe80::1"))
        #expect(!v6.contains("10.0.0.1"))
        #expect(try CIDR("2001:DB8:0:0::/32").description == "2001:db8::/32")
        #expect(try CIDR("::1").contains("::1"))
        #expect(try CIDR("0.0.0.0/0").contains("203.0.113.1"))
        #expect(try CIDR("172.16.0.0/12").contains("172.31.255.255"))
        #expect(try !CIDR("172.16.0.0/12").contains("172.32.0.0"))
    }

    @Test(
        "malformed networks are refused with a message that names them",
        arguments: [
            "", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0/8", "nope", "10.0.0.1/8", "fd00::/129", "1.2.3.4/8x",
        ])
    func malformed(_ text: String) {
        #expect {
            _ = try CIDR(text)
        } throws: { error in
            (error as? CIDR.ParseError)?.description.contains("'\(text)'") == true
        }
    }

    @Test("the client is the peer unless the peer is a trusted proxy; then the right-most untrusted forwarded hop")
    func clientAddress() throws {
        let proxies = [try CIDR("10.0.0.0/8"), try CIDR("fd00::/8")]
        func client(_ peer: String?, _ forwarded: [String]) -> String? {
            ClientAddressMiddleware.clientAddress(peer: peer, forwardedFor: forwarded, trustedProxies: proxies)
        }
        // An untrusted peer's header is ignored: a client cannot choose its address.
        #expect(client("203.0.113.9", ["198.51.100.1"]) == "203.0.113.9")
        #expect(client("10.0.0.2", ["198.51.100.1"]) == "198.51.100.1")
        // A spoofed left part is ignored; proxies on the way are skipped.
        #expect(client("10.0.0.2", ["6.6.6.6, 198.51.100.1, 10.1.1.1"]) == "198.51.100.1")
        #expect(client("10.0.0.2", ["6.6.6.6", "198.51.100.1:4711, 10.1.1.1"]) == "198.51.100.1")
        #expect(client("fd00::2", ["[2001:db8::5]:443"]) == "2001:db8::5")
        #expect(client("::ffff:10.0.0.2", ["2001:db8::5"]) == "2001:db8::5")
        // Every hop trusted: the left-most. No header: the peer. Garbage: the nearest trusted hop.
        #expect(client("10.0.0.2", ["10.9.9.9, 10.1.1.1"]) == "10.9.9.9")
        #expect(client("10.0.0.2", []) == "10.0.0.2")
        #expect(client("10.0.0.2", ["198.51.100.1, garbage, 10.1.1.1"]) == "10.1.1.1")
        #expect(client(nil, ["198.51.100.1"]) == nil)
        #expect(
            ClientAddressMiddleware.clientAddress(peer: "10.0.0.2", forwardedFor: ["198.51.100.1"], trustedProxies: [])
                == "10.0.0.2")
    }

    @Test("ATOMO_TRUSTED_PROXIES is read comma-separated; a malformed entry is a startup error naming it")
    func environment() throws {
        let configuration = try ServerConfiguration(
            schemaPath: "schema.ts", environment: ["ATOMO_TRUSTED_PROXIES": "10.0.0.0/8, fd00::/8,"])
        #expect(configuration.trustedProxies == [try CIDR("10.0.0.0/8"), try CIDR("fd00::/8")])
        #expect(try ServerConfiguration(schemaPath: "schema.ts", environment: [:]).trustedProxies.isEmpty)
        #expect {
            _ = try ServerConfiguration(
                schemaPath: "schema.ts", environment: ["ATOMO_TRUSTED_PROXIES": "10.0.0.0/8,bad"])
        } throws: { error in
            "\(error)".contains("ATOMO_TRUSTED_PROXIES") && "\(error)".contains("'bad'")
        }
    }
}
