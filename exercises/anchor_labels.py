"""Exercise anchor_labels (D2L 14.4): write the box conversions, the book's anchor assignment and its offsets."""

import torch


def box_corner_to_center(boxes: torch.Tensor) -> torch.Tensor:
    """Convert (N, 4) boxes from corner form (x1, y1, x2, y2) to centre form (cx, cy, w, h).

    D2L 14.3 (bounding boxes) defines it, and 14.4 uses it:
    https://d2l.ai/chapter_computer-vision/anchor.html

    What to implement
        cx = (x1 + x2) / 2, cy = (y1 + y2) / 2, w = x2 - x1, h = y2 - y1. Keep the dtype and
        device; gradients must flow to boxes.

    Forbidden
        torchvision (its box_convert and everything else in it).
    """
    raise NotImplementedError("box_corner_to_center: fill in this function")


def box_center_to_corner(boxes: torch.Tensor) -> torch.Tensor:
    """Convert (N, 4) boxes from centre form (cx, cy, w, h) to corner form (x1, y1, x2, y2).

    D2L 14.3 (bounding boxes) defines it, and 14.4 uses it:
    https://d2l.ai/chapter_computer-vision/anchor.html

    What to implement
        x1 = cx - w / 2, y1 = cy - h / 2, x2 = cx + w / 2, y2 = cy + h / 2: the inverse of
        box_corner_to_center. Keep the dtype and device; gradients must flow to boxes.

    Forbidden
        torchvision (its box_convert and everything else in it).
    """
    raise NotImplementedError("box_center_to_corner: fill in this function")


def assign_anchor_to_bbox(ground_truth: torch.Tensor, anchors: torch.Tensor, device, iou_threshold=0.5) -> torch.Tensor:
    """Assign the closest ground-truth box to anchors, as the book's assign_anchor_to_bbox does.

    D2L 14.4, anchor boxes, "Assigning Ground-Truth Bounding Boxes to Anchor Boxes":
    https://d2l.ai/chapter_computer-vision/anchor.html

    What to implement
        X = the (num_anchors, num_gt_boxes) IoU matrix of anchors and ground_truth. Then:
        1. Every anchor whose largest IoU (over the ground-truth boxes) is >= iou_threshold gets
           that box. (The book's code compares with >=, its text says "greater than"; the
           course follows the code.)
        2. Then, once per ground-truth box: find the largest element x_ij of X, assign box j to
           anchor i (replacing what step 1 gave it), and discard row i and column j (set them
           to -1). So every ground-truth box gets at least one anchor, even below the threshold.
        Step 1 comes first: an anchor that step 2 assigns keeps step 2's box.

    Shapes
        ground_truth (num_gt_boxes, 4) and anchors (num_anchors, 4), both in corner form, with
        num_anchors >= num_gt_boxes. Returns an int64 (torch.long) tensor of shape
        (num_anchors,) on `device`: the index of each anchor's box, or -1 for none. (The book's
        MXNet tab uses int32; the PyTorch code uses torch.long.)

    Conventions
        - IoU as in D2L 14.4's box_iou (corner form, no "+1"): write your own or reuse your nms
          exercise's; torch has none built in.
        - Do not modify ground_truth or anchors (change a copy of the IoU matrix only).
        - In the graded inputs, every round of step 2 has one largest IoU, and it is above 0.

    Forbidden
        torchvision (box_iou and everything else in it).
    """
    raise NotImplementedError("assign_anchor_to_bbox: fill in this function")


def offset_boxes(anchors: torch.Tensor, assigned_bb: torch.Tensor, eps=1e-6) -> torch.Tensor:
    """Return the (N, 4) offsets of the assigned boxes from their anchors, the book's offset_boxes.

    D2L 14.4, anchor boxes, "Labeling Classes and Offsets":
    https://d2l.ai/chapter_computer-vision/anchor.html

    What to implement
        With both in centre form, anchor (xa, ya, wa, ha) and assigned box (xb, yb, wb, hb):
            (10 * (xb - xa) / wa,  10 * (yb - ya) / ha,
             5 * log(eps + wb / wa),  5 * log(eps + hb / ha))
        the book's constants: mu = 0, sigma_x = sigma_y = 0.1 (times 10) and
        sigma_w = sigma_h = 0.2 (times 5). eps is added INSIDE the log.

    Shapes
        anchors and assigned_bb (N, 4) in corner form; returns (N, 4), same dtype and device.
        Gradients must flow to both.

    Forbidden
        torchvision (its BoxCoder and everything else in it).
    """
    raise NotImplementedError("offset_boxes: fill in this function")


def offset_inverse(anchors: torch.Tensor, offset_preds: torch.Tensor) -> torch.Tensor:
    """Return the (N, 4) boxes that predicted offsets give from their anchors, in corner form.

    D2L 14.4, anchor boxes, "Predicting Bounding Boxes with Non-Maximum Suppression":
    https://d2l.ai/chapter_computer-vision/anchor.html

    What to implement
        The inverse of offset_boxes (with eps = 0): with the anchor (xa, ya, wa, ha) in centre
        form and the offsets (ox, oy, ow, oh):
            x = ox * wa / 10 + xa,  y = oy * ha / 10 + ya,
            w = exp(ow / 5) * wa,   h = exp(oh / 5) * ha,
        then back to corner form (x1, y1, x2, y2).

    Shapes
        anchors (N, 4) in corner form and offset_preds (N, 4); returns (N, 4), same dtype and
        device. Gradients must flow to both.

    Forbidden
        torchvision (its BoxCoder and everything else in it).
    """
    raise NotImplementedError("offset_inverse: fill in this function")
