import NIOCore

/// SMPP 3.4 command ids used by an ESME (a response is the request id with the top bit set).
enum SMPPCommand: UInt32, Sendable {
    case bindReceiver = 0x01
    case bindTransmitter = 0x02
    case submitSm = 0x04
    case deliverSm = 0x05
    case unbind = 0x06
    case bindTransceiver = 0x09
    case enquireLink = 0x15
    case dataSm = 0x103
    case genericNack = 0x8000_0000

    static let responseBit: UInt32 = 0x8000_0000
}

/// SMPP 3.4 command_status values the client acts on.
enum SMPPStatus {
    static let ok: UInt32 = 0x00
    static let invalidCommandID: UInt32 = 0x03
    static let invalidBindStatus: UInt32 = 0x04
    static let systemError: UInt32 = 0x08
    static let messageQueueFull: UInt32 = 0x14
    static let submitFailed: UInt32 = 0x45
    static let throttled: UInt32 = 0x58
    static let temporaryAppError: UInt32 = 0x64
    static let unknownError: UInt32 = 0xFF

    /// Statuses that say "not now" rather than "never": the message is tried again later.
    static func isTemporary(_ status: UInt32) -> Bool {
        [invalidBindStatus, systemError, messageQueueFull, submitFailed, throttled, temporaryAppError, unknownError]
            .contains(status)
    }

    static let names: [UInt32: String] = [
        0x01: "ESME_RINVMSGLEN", 0x02: "ESME_RINVCMDLEN", 0x03: "ESME_RINVCMDID", 0x04: "ESME_RINVBNDSTS",
        0x05: "ESME_RALYBND",
        0x08: "ESME_RSYSERR", 0x0A: "ESME_RINVSRCADR", 0x0B: "ESME_RINVDSTADR", 0x0C: "ESME_RINVMSGID",
        0x0D: "ESME_RBINDFAIL",
        0x0E: "ESME_RINVPASWD", 0x0F: "ESME_RINVSYSID", 0x14: "ESME_RMSGQFUL", 0x33: "ESME_RINVNUMDESTS",
        0x45: "ESME_RSUBMITFAIL",
        0x48: "ESME_RINVSRCTON", 0x49: "ESME_RINVSRCNPI", 0x50: "ESME_RINVDSTTON", 0x51: "ESME_RINVDSTNPI",
        0x58: "ESME_RTHROTTLED",
        0x61: "ESME_RINVSCHED", 0x62: "ESME_RINVEXPIRY", 0x64: "ESME_RX_T_APPN", 0x65: "ESME_RX_P_APPN",
        0x66: "ESME_RX_R_APPN", 0xFF: "ESME_RUNKNOWNERR",
    ]

    static func describe(_ status: UInt32) -> String {
        let hex = "0x" + String(status, radix: 16, uppercase: true)
        return names[status].map { "\($0) (\(hex))" } ?? hex
    }
}

/// One PDU: the 16-byte header's fields and the body after it.
struct SMPPPDU: Sendable {
    var commandID: UInt32
    var status: UInt32
    var sequence: UInt32
    var body: ByteBuffer

    var isResponse: Bool { commandID & SMPPCommand.responseBit != 0 }

    func encoded(allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.buffer(capacity: 16 + body.readableBytes)
        out.writeInteger(UInt32(16 + body.readableBytes))
        out.writeInteger(commandID)
        out.writeInteger(status)
        out.writeInteger(sequence)
        var b = body
        out.writeBuffer(&b)
        return out
    }
}

enum SMPPCodecError: Error, CustomStringConvertible {
    case badLength(UInt32)
    case truncated(String)

    var description: String {
        switch self {
        case .badLength(let n): "SMPP PDU with impossible command_length \(n)"
        case .truncated(let field): "SMPP PDU ends inside \(field)"
        }
    }
}

/// Frames the byte stream into PDUs by their command_length.
struct SMPPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMPPPDU
    /// Generous for SMPP (a short_message is at most 254 octets, TLVs add little); refuses garbage early.
    static let maxLength: UInt32 = 64 * 1024

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard length >= 16, length <= Self.maxLength else { throw SMPPCodecError.badLength(length) }
        guard buffer.readableBytes >= Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let commandID = buffer.readInteger(as: UInt32.self)!
        let status = buffer.readInteger(as: UInt32.self)!
        let sequence = buffer.readInteger(as: UInt32.self)!
        let body = buffer.readSlice(length: Int(length) - 16)!
        context.fireChannelRead(
            wrapInboundOut(SMPPPDU(commandID: commandID, status: status, sequence: sequence, body: body)))
        return .continue
    }
}

extension ByteBuffer {
    /// A C-octet string: the bytes, then a NUL.
    mutating func writeCString(_ s: String) {
        writeString(s)
        writeInteger(UInt8(0))
    }

    mutating func readCString(_ field: String) throws -> String {
        guard let nul = readableBytesView.firstIndex(of: 0) else { throw SMPPCodecError.truncated(field) }
        let s = readString(length: nul - readerIndex) ?? ""
        moveReaderIndex(forwardBy: 1)
        return s
    }

    mutating func readByte(_ field: String) throws -> UInt8 {
        guard let b = readInteger(as: UInt8.self) else { throw SMPPCodecError.truncated(field) }
        return b
    }
}

/// The fields of a submit_sm that the product sets.
struct SubmitSm: Sendable {
    var sourceAddress: String
    var sourceTON: UInt8 = 5  // alphanumeric
    var sourceNPI: UInt8 = 0
    var destinationAddress: String
    var destinationTON: UInt8 = 1  // international
    var destinationNPI: UInt8 = 1  // E.164
    var esmClass: UInt8
    var registeredDelivery: UInt8
    var dataCoding: UInt8
    var shortMessage: [UInt8]

    func body(allocator: ByteBufferAllocator) -> ByteBuffer {
        var b = allocator.buffer(capacity: 64 + shortMessage.count)
        b.writeCString("")  // service_type: the SMSC default
        b.writeInteger(sourceTON)
        b.writeInteger(sourceNPI)
        b.writeCString(sourceAddress)
        b.writeInteger(destinationTON)
        b.writeInteger(destinationNPI)
        b.writeCString(destinationAddress)
        b.writeInteger(esmClass)
        b.writeInteger(UInt8(0))  // protocol_id
        b.writeInteger(UInt8(0))  // priority_flag
        b.writeCString("")  // schedule_delivery_time: now
        b.writeCString("")  // validity_period: the SMSC default
        b.writeInteger(registeredDelivery)
        b.writeInteger(UInt8(0))  // replace_if_present_flag
        b.writeInteger(dataCoding)
        b.writeInteger(UInt8(0))  // sm_default_msg_id
        b.writeInteger(UInt8(shortMessage.count))
        b.writeBytes(shortMessage)
        return b
    }
}

/// What the client reads from a deliver_sm: a delivery receipt, or a mobile-originated message it ignores.
struct DeliverSm: Sendable {
    var esmClass: UInt8
    var shortMessage: [UInt8]
    var tlvs: [UInt16: [UInt8]]

    static let receiptedMessageID: UInt16 = 0x001E
    static let messageState: UInt16 = 0x0427

    init(parsing body: ByteBuffer) throws {
        var b = body
        _ = try b.readCString("service_type")
        _ = try b.readByte("source_addr_ton")
        _ = try b.readByte("source_addr_npi")
        _ = try b.readCString("source_addr")
        _ = try b.readByte("dest_addr_ton")
        _ = try b.readByte("dest_addr_npi")
        _ = try b.readCString("destination_addr")
        esmClass = try b.readByte("esm_class")
        _ = try b.readByte("protocol_id")
        _ = try b.readByte("priority_flag")
        _ = try b.readCString("schedule_delivery_time")
        _ = try b.readCString("validity_period")
        _ = try b.readByte("registered_delivery")
        _ = try b.readByte("replace_if_present_flag")
        _ = try b.readByte("data_coding")
        _ = try b.readByte("sm_default_msg_id")
        let length = Int(try b.readByte("sm_length"))
        guard let sm = b.readBytes(length: length) else { throw SMPPCodecError.truncated("short_message") }
        shortMessage = sm
        tlvs = [:]
        while b.readableBytes >= 4 {
            let tag = b.readInteger(as: UInt16.self)!
            let len = Int(b.readInteger(as: UInt16.self)!)
            guard let value = b.readBytes(length: len) else { throw SMPPCodecError.truncated("TLV \(tag)") }
            tlvs[tag] = value
        }
    }

    /// esm_class bits 2–5 = 0001: an SMSC delivery receipt.
    var isDeliveryReceipt: Bool { esmClass & 0x3C == 0x04 }

    /// The receipt's message id (the TLV, else the `id:` field of the text) and its final state.
    var receipt: (messageID: String, state: String)? {
        guard isDeliveryReceipt else { return nil }
        let text = String(decoding: shortMessage, as: UTF8.self)
        let fields = Self.fields(text)
        let tlvID = tlvs[Self.receiptedMessageID].map { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard let id = tlvID ?? fields["id"], !id.isEmpty else { return nil }
        let states: [UInt8: String] = [
            1: "ENROUTE", 2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 6: "ACCEPTD", 7: "UNKNOWN",
            8: "REJECTD",
        ]
        let state = fields["stat"] ?? tlvs[Self.messageState]?.first.flatMap { states[$0] } ?? "UNKNOWN"
        return (id, state)
    }

    /// `id:123 sub:001 dlvrd:001 submit date:… done date:… stat:DELIVRD err:000 text:…` (SMPP 3.4 appendix B).
    static func fields(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for key in ["id", "stat", "err"] {
            guard let r = text.range(of: key + ":") else { continue }
            out[key] = String(text[r.upperBound...].prefix { !$0.isWhitespace })
        }
        return out
    }
}
