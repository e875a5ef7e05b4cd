// C shim for libudev (libudev-dev): the one header Swift imports for this library.
#include <libudev.h>
