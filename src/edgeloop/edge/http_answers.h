// What every edgeloop HTTP server (the device's API, the labelling page) asks of cpp-httplib
// beyond its defaults. Called from each server's pre-routing handler. Thread-safe.
#pragma once

namespace httplib {
struct Request;
}

namespace edgeloop {

// Makes httplib answer `request` uncompressed. httplib compresses every text and JSON answer with
// brotli at quality 11 when the client accepts it (browsers always do; Debian's library is built
// with brotli), which is seconds of CPU for a megabyte of JSON and tens of megabytes of encoder
// memory on a small device, and gains nothing on loopback or a LAN. httplib has no switch for it:
// it decides from the request's Accept-Encoding, which is dropped here, before any handler runs.
void answer_uncompressed(const httplib::Request& request);

}  // namespace edgeloop
