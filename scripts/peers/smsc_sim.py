"""SMPP 3.4 SMSC simulator for the tests, on smpp34 (a real SMSC engine).
usage: smsc_sim.py PORT LOG [REJECT_PREFIX]
Writes every submit_sm as one JSON line to LOG (fields as received, the UDH split off, the text decoded
independently of the application: GSM 03.38 for data_coding 0, UTF-16BE for 8), accepts it as "msg-N",
refuses destinations starting with REJECT_PREFIX (ESME_RINVDSTADR), and pushes a delivery receipt when
registered_delivery asks for one and the ESME bound as transceiver or receiver."""
import asyncio, json, sys, time, smpp34

PORT, LOG = int(sys.argv[1]), sys.argv[2]
REJECT = sys.argv[3] if len(sys.argv) > 3 else None

GSM = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
       "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXT = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€"}

def gsm_decode(septets):
    out, esc = [], False
    for b in septets:
        if esc: out.append(GSM_EXT.get(b, "?")); esc = False
        elif b == 0x1B: esc = True
        else: out.append(GSM[b] if b < len(GSM) else "?")
    return "".join(out)

def split(dc, esm_class, body):
    udh = b""
    if esm_class & 0x40 and body:
        n = body[0]; udh, body = body[:n + 1], body[n + 1:]
    text = body.decode("utf-16-be", "replace") if dc == 8 else gsm_decode(body) if dc == 0 else None
    return udh.hex(), text

async def receipt(esme, source, destination, mid):
    now = time.strftime("%y%m%d%H%M")
    text = f"id:{mid} sub:001 dlvrd:001 submit date:{now} done date:{now} stat:DELIVRD err:000 text:".encode()
    try:
        await esme.deliver_sm(source, text, source_addr=destination, esm_class=0x04, tlvs=[
            smpp34.Tlv(smpp34.TLV_RECEIPTED_MESSAGE_ID, mid.encode() + b"\0"),
            smpp34.Tlv(smpp34.TLV_MESSAGE_STATE, bytes([2]))])
    except Exception as e:          # the ESME went away: the receipt is lost, as with a real SMSC
        print("receipt", mid, "not delivered:", e, flush=True)

async def main():
    server = smpp34.Server(host="127.0.0.1", port=PORT, system_id="SIMSMSC")
    await server.start()
    print(f"SMSC listening on 127.0.0.1:{PORT}", flush=True)
    sessions, n, tasks = {}, 0, set()
    while True:
        ev = await server.next()
        if isinstance(ev, smpp34.Esme):
            sessions[ev.session_id] = ev
            print("bound", ev.system_id, "can_receive", ev.can_receive, flush=True)
        elif isinstance(ev, smpp34.SubmitSmEvent):
            n += 1; mid = f"msg-{n}"
            udh, text = split(ev.data_coding, ev.esm_class, ev.short_message)
            rejected = bool(REJECT) and ev.destination_addr.startswith(REJECT)
            rec = dict(message_id=None if rejected else mid, session_id=str(ev.session_id), system_id=sessions[ev.session_id].system_id if ev.session_id in sessions else None,
                       source_addr=ev.source_addr, source_addr_ton=ev.source_addr_ton, source_addr_npi=ev.source_addr_npi,
                       destination_addr=ev.destination_addr, dest_addr_ton=ev.dest_addr_ton, dest_addr_npi=ev.dest_addr_npi,
                       esm_class=ev.esm_class, data_coding=ev.data_coding, registered_delivery=ev.registered_delivery,
                       udh_hex=udh, text=text, rejected=rejected, ts=time.time())
            with open(LOG, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            if rejected:
                ev.reject(smpp34.ESME_RINVDSTADR)
                continue
            ev.accept(message_id=mid)
            esme = sessions.get(ev.session_id)
            if ev.registered_delivery & 1 and esme is not None and esme.can_receive:
                # In the background, as an SMSC does: the next submit_sm is not held up by the receipt.
                tasks.add(asyncio.create_task(receipt(esme, ev.source_addr, ev.destination_addr, mid)))
                tasks = {t for t in tasks if not t.done()}
        elif isinstance(ev, smpp34.Unbound):
            sessions.pop(ev.session_id, None)

asyncio.run(main())
