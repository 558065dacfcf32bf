"""Writes the hostile image files of issue 17 into a folder, for the reliability scenarios.

  python3 hostile_images.py FOLDER

The same bytes as tests/support/hostile_images.cpp (keep them in step):
  dicom-preamble.bin          the 128-byte DICOM preamble and "DICM", nothing after: Debian's OpenCV
                              4.6 hands it to GDCM, whose assert(is.good()) aborted the device
  webp-header-over-dicom.bin  the same, its preamble opening as a WebP whose VP8L header libwebp
                              rejects: OpenCV's WebP decoder declined it and the next decoder whose
                              signature matched was GDCM's
"""
import os
import sys

folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)
dicom = bytes(128) + b"DICM"
# A VP8L chunk must start with the signature byte 0x2F; 0xFF makes libwebp refuse the header.
riff = b"RIFF" + bytes([8, 0, 0, 0]) + b"WEBP" + b"VP8L" + bytes([5, 0, 0, 0, 0xFF, 0x2F, 0x2F, 0x42])
webp_over_dicom = riff + dicom[len(riff):]
for name, data in (("dicom-preamble.bin", dicom), ("webp-header-over-dicom.bin", webp_over_dicom)):
    with open(os.path.join(folder, name), "wb") as out:
        out.write(data)
