#!/usr/bin/env node
// The kit's kaleyra-video, which finds this package's commands by its name.
import "kaleyra-whatsapp-video-kit/dist/src/cli/bin.js";
