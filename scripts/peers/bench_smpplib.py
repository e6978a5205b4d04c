"""Baseline for `make bench`: smpplib (a plain Python ESME) sends N one-part GSM-7 SMS to the simulator,
one submit_sm at a time (its natural, synchronous mode), no delivery receipts. Prints the seconds taken."""
import sys, time, smpplib.client, smpplib.consts
port, n = int(sys.argv[1]), int(sys.argv[2])
c = smpplib.client.Client("127.0.0.1", port, allow_unknown_opt_params=True)
c.set_message_sent_handler(lambda pdu: None)
c.connect()
c.bind_transmitter(system_id="baseline", password="secret")
started = time.monotonic()
for i in range(n):
    c.send_message(source_addr_ton=5, source_addr_npi=0, source_addr="Hostico", dest_addr_ton=1, dest_addr_npi=1,
                   destination_addr="40722%06d" % i, short_message=b"Hostico: gazduirea pentru site.example a fost suspendata. Contactati suportul.",
                   data_coding=0, esm_class=0, registered_delivery=0)
    c.read_once()
elapsed = time.monotonic() - started
c.disconnect()
print("%.3f" % elapsed)
