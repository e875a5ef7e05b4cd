// C shim for libcbor (libcbor-dev): the one header Swift imports for this library.
#include <cbor.h>
