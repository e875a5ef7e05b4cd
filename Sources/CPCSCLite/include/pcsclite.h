// Forwarding header, see CPCSCLite.h.
#include "/usr/include/PCSC/pcsclite.h"
