// C shim for libpcsclite (Debian libpcsclite-dev, headers in /usr/include/PCSC).
//
// pcsclite's headers include each other with angle brackets (<pcsclite.h>, <wintypes.h>), which
// needs -I/usr/include/PCSC. pkg-config would give that, but also "-pthread", which SwiftPM
// rejects with a warning; the forwarding headers beside this one resolve those includes instead.
#include "/usr/include/PCSC/winscard.h"
#include "/usr/include/PCSC/reader.h"
