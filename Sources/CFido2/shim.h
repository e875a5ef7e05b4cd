// C shim for libfido2 (Debian libfido2-dev): every public header Swift needs, imported as one module.
#include <fido.h>
#include <fido/es256.h>
#include <fido/eddsa.h>
#include <fido/rs256.h>
#include <fido/credman.h>
#include <fido/config.h>
