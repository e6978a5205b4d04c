import Testing

@testable import Domain

@Suite("Identifier validation (vectors from domain.md §3)")
struct IdentifierTests {
    @Test(arguments: ["1630615123457", "1920822296090", "2700116065277", "4910527475018", "1070504429315"])
    func validCNPs(cnp: String) throws {
        #expect(try CNP.parse(cnp).value == cnp)
    }

    @Test(arguments: [
        ("1630615123458", "cnp.checksum"), ("2701116065271", "cnp.checksum"), ("1632215123457", "cnp.date"),
        ("163061512345", "cnp.format"), ("0630615123457", "cnp.format"), ("16306151234a7", "cnp.format"),
    ])
    func invalidCNPs(cnp: String, rule: String) {
        do {
            _ = try CNP.parse(cnp)
            Issue.record("accepted \(cnp)")
        } catch {
            #expect(error.errors.map(\.field) == ["cnp"])
            #expect(error.errors.map(\.rule) == [rule])
        }
    }

    @Test(arguments: [
        "18547290", "RO 185 472 90", "13548146", "11198699", "6255950", "19", "9999999994", "8609468", "ro18547290",
    ])
    func validCUIs(cui: String) throws {
        _ = try CUI.parse(cui)
    }

    @Test(arguments: ["18547291", "1", "01234567", "12345678901", "RO", "18547A90"])
    func invalidCUIs(cui: String) {
        #expect(throws: ValidationFailure.self) { try CUI.parse(cui) }
    }

    @Test(arguments: [
        "RO49AAAA1B31007593840000", "RO56TREZ0462107020101XXX", "GB82WEST12345698765432", "DE89370400440532013000",
        "ro49 aaaa 1b31 0075 9384 0000",
    ])
    func validIBANs(iban: String) throws {
        _ = try IBAN.parse(iban)
    }

    @Test(arguments: [
        ("RO49AAAA1B31007593840001", "iban.checksum"), ("RO49AAAA1B3100759384000", "iban.length"),
        ("12AB", "iban.format"),
    ])
    func invalidIBANs(iban: String, rule: String) {
        do {
            _ = try IBAN.parse(iban)
            Issue.record("accepted \(iban)")
        } catch { #expect(error.errors.first?.rule == rule) }
    }

    @Test(arguments: [
        ("DE123456789", "DE"), ("EL123456789", "GR"), ("ATU12345678", "AT"), ("NL123456789B01", "NL"),
        ("FRXX123456789", "FR"), ("RO18547290", "RO"), ("IE1234567WA", "IE"), ("ESX1234567X", "ES"),
    ])
    func validVATNumbers(vat: String, country: String) throws {
        #expect(try EUVATNumber.parse(vat).country == country)
    }

    @Test(arguments: [
        ("DE12345678", "vat.format"), ("GR123456789", "vat.country"), ("US123456789", "vat.country"),
        ("RO18547291", "vat.checksum"), ("X", "vat.format"),
    ])
    func invalidVATNumbers(vat: String, rule: String) {
        do {
            _ = try EUVATNumber.parse(vat)
            Issue.record("accepted \(vat)")
        } catch { #expect(error.errors.first?.rule == rule) }
    }

    @Test(arguments: [
        ("0712345678", "+40712345678", true), ("+40 712 345 678", "+40712345678", true),
        ("0040712345678", "+40712345678", true),
        ("+40212345678", "+40212345678", false), ("+4915112345678", "+4915112345678", true),
        ("+91 98765 43210", "+919876543210", true),
    ])
    func phoneNumbersNormaliseToE164(raw: String, e164: String, mobile: Bool) throws {
        let p = try PhoneNumber.parse(raw)
        #expect(p.e164 == e164)
        #expect(p.isMobile == mobile)
    }

    @Test(arguments: ["12345", "+40 71234567", "+0712345678", "phone", "+1234567890123456"])
    func invalidPhoneNumbers(raw: String) {
        #expect(throws: ValidationFailure.self) { try PhoneNumber.parse(raw) }
    }

    @Test(arguments: ["ana@example.ro", " Ana.Pop@Example.RO "])
    func validEmails(raw: String) throws {
        #expect(try EmailAddress.parse(raw).value.hasSuffix("@example.ro"))
    }

    @Test(arguments: ["ana", "ana@", "@x.ro", "ana@x", "a b@x.ro", "a@b@c.ro", "ana@.ro"])
    func invalidEmails(raw: String) {
        #expect(throws: ValidationFailure.self) { try EmailAddress.parse(raw) }
    }
}

@Suite("Client addresses behind proxies")
struct ClientAddressTests {
    @Test func addressesParseInBothFamilies() throws {
        #expect(IPAddress("203.0.113.9")?.bytes == [203, 0, 113, 9])
        #expect(IPAddress("2001:db8::1")?.description == "2001:db8:0:0:0:0:0:1")
        #expect(IPAddress("::ffff:192.0.2.1")?.bytes.suffix(4) == [192, 0, 2, 1])
        #expect(IPAddress("[::1]")?.description == "0:0:0:0:0:0:0:1")
        for bad in [
            "", "1.2.3", "256.1.1.1", "1.2.3.4.5", "2001:db8:::1", "2001:db8::1::2", "g::1", "1:2:3:4:5:6:7:8:9",
            " 1.2.3.4",
        ] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func networksContainTheirAddresses() throws {
        let ten = try #require(IPNetwork("10.0.0.0/8"))
        #expect(ten.contains(IPAddress("10.200.3.4")!) && !ten.contains(IPAddress("11.0.0.1")!))
        let v6 = try #require(IPNetwork("fd00::/8"))
        #expect(
            v6.contains(IPAddress("fd12::1")!) && !v6.contains(IPAddress("fe80::1")!)
                && !v6.contains(IPAddress("10.0.0.1")!))
        #expect(IPNetwork("127.0.0.1")?.prefix == 32 && IPNetwork("1.2.3.4/33") == nil && IPNetwork("nonsense") == nil)
        #expect(IPNetwork("192.168.1.0/23")!.contains(IPAddress("192.168.0.7")!))
    }

    @Test func theClientIsTheRightMostUntrustedHop() {
        let trusted = [IPNetwork("10.0.0.0/8")!, IPNetwork("127.0.0.1")!]
        // A direct visitor's header is ignored: anyone can send it.
        #expect(
            ClientAddress.resolve(peer: "198.51.100.1", forwardedFor: ["1.2.3.4"], trusted: trusted) == "198.51.100.1")
        // Behind the proxy: the client's own claim (left) is ignored, the hop the proxy added (right-most untrusted) counts.
        #expect(
            ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["1.2.3.4, 203.0.113.9"], trusted: trusted)
                == "203.0.113.9")
        #expect(
            ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["203.0.113.9", "10.1.1.1"], trusted: trusted)
                == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: [], trusted: trusted) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["not-an-ip"], trusted: trusted) == "127.0.0.1")
    }

    @Test func limitsCountIPv6PerSlash64() {
        #expect(ClientAddress.limitBucket("2001:db8:1:2::a") == "2001:db8:1:2::/64")
        #expect(ClientAddress.limitBucket("2001:db8:1:2:ffff::b") == "2001:db8:1:2::/64")
        #expect(ClientAddress.limitBucket("2001:db8:1:3::a") == "2001:db8:1:3::/64")
        #expect(ClientAddress.limitBucket("203.0.113.9") == "203.0.113.9")
    }
}

@Suite("Bucharest sectors as people type them")
struct BucharestSectorTests {
    static let spellings = [
        "Sector 2", "sector 2", "Sectorul 2", "sectorul nr. 2", "Sect. 2", "S2", "s.2", "SECTOR2",
        "București, Sector 2", "Bucuresti sector 2", "Mun. București, Sectorul 2", "Sector 2 București",
        "bucharest s 2",
    ]

    @Test(arguments: spellings)
    func everySpellingSavesAsSECTOR2(_ city: String) throws {
        let party = try BillingPartyDraft(
            kind: "person", name: "Ion Ionescu", street: "Str. Lipscani 3", city: city, county: "B", country: "RO"
        ).validated()
        #expect(party.address.city == "SECTOR2")
    }

    @Test func aBucharestAddressNeedsItsSector() throws {
        for city in ["București", "Bucuresti", "Sector 7", "Sector", "Sibiu", "Sector 12"] {
            #expect(throws: ValidationFailure.self, "\(city)") {
                try BillingPartyDraft(
                    kind: "person", name: "Ion Ionescu", street: "Str. Lipscani 3", city: city, county: "B",
                    country: "RO"
                ).validated()
            }
        }
        // Outside Bucharest the city stays as typed.
        let cluj = try BillingPartyDraft(
            kind: "person", name: "Ana", street: "Str. 1", city: "Sectorul Agricol", county: "CJ", country: "RO"
        ).validated()
        #expect(cluj.address.city == "Sectorul Agricol")
    }
}
