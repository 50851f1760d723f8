import Glibc
import Testing

@testable import IO

@Suite("socket addresses")
struct SocketAddressTests {
    static func address(_ text: String) -> in6_addr {
        var address = in6_addr()
        #expect(inet_pton(AF_INET6, text, &address) == 1)
        return address
    }

    @Test func anIPv4MappedAddressYieldsItsIPv4Address() throws {
        let mapped = try #require(Socket.ipv4Mapped(Self.address("::ffff:10.1.2.3")))
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        var ipv4 = in_addr(s_addr: mapped)
        inet_ntop(AF_INET, &ipv4, &text, socklen_t(text.count))
        #expect(String(cString: text) == "10.1.2.3")
    }

    @Test("other IPv6 addresses are not mapped", arguments: ["::1", "::", "fe80::1", "::ffff:0:10.1.2.3", "2001:db8::ffff:a01:203"])
    func otherAddressesAreNotMapped(_ text: String) {
        #expect(Socket.ipv4Mapped(Self.address(text)) == nil)
    }
}
