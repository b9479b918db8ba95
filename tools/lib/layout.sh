# SPDX-License-Identifier: MIT
# The disk layout every Bulkhead image uses (docs/decisions/0002-disk-layout.md). Partition UUIDs are fixed
# per slot, not random per disk, because a signed UKI names the partitions of its set on its command line and
# an update's UKI is built before it meets the disk. Integrity does not rest on them: the root hash does.
PARTUUID_ESP=7db251dd-b9ab-4aba-a007-fe31e0bb967a
PARTUUID_ROOT_A=1397cc2b-6846-4d6a-ae3d-21e716b516ee
PARTUUID_VERITY_A=4ffddfed-e73c-462a-8353-942e00d20510
PARTUUID_ROOT_B=1dd8e114-6480-4721-be2c-e8aecf5e281c
PARTUUID_VERITY_B=8de3bab9-409b-4e21-9b61-5eb0cd38061a
PARTUUID_DATA=bf050fb4-a099-4397-90b9-4d33c65eae03
DATA_LABEL=BULKHEAD-DATA
