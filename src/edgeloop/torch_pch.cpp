// Carrier for the shared precompiled LibTorch header; holds no code.
