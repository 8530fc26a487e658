//! Camera frames and images as borrowed luma views: validation of planes, strides, rotation and crop.
