// mqtt-packet (which Aedes, mqtt.js and the ingest's own client write packets with) builds, on the first packet a
// process writes, a cache of 65,536 two-byte Buffers — one per packet id / length value — and keeps it for the life
// of the process: ≈ 6 MB of heap (`ruong rules` heap snapshot with 50,000 devices; ≈ 6.5 MB in `ruong broker`, 0.65 KB
// per device at 10,000; docs/benchmarks.md), old-generation objects every full GC walks again, to save one 2-byte
// Buffer.allocUnsafe per number it writes. Every Ruộng process turns it off before it writes its first packet.
// One mqtt-packet module per process: this applies to every MQTT client and server in it.
import mqttPacket from 'mqtt-packet';

(mqttPacket.writeToStream as unknown as { cacheNumbers: boolean }).cacheNumbers = false;

