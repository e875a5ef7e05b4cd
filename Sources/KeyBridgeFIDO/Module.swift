// libfido2 layer
