// C shim for libpcsclite (libpcsclite-dev): the one header Swift imports for this library.
#include <winscard.h>
