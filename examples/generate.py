#!/usr/bin/env python3
"""Write a large synthetic task list in clusterctl's TOML import format.

N tasks across 40 agencies and N/10 directives issued 190-400 days before --as-of, due
dates spread ±180 days around --as-of (never before the directive's issue date),
about half of them done (some late), a few in progress, cancelled or ongoing. The same seed
gives the same file.

    python examples/generate.py 10000 --as-of 2024-07-01 > tasks-10k.toml
"""

import argparse
import random
import sys
from datetime import date, timedelta

DEPARTMENTS = [
    ("SCT", "Sở Công Thương"), ("SKHDT", "Sở Kế hoạch và Đầu tư"), ("STC", "Sở Tài chính"),
    ("SXD", "Sở Xây dựng"), ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"), ("SGTVT", "Sở Giao thông vận tải"),
    ("SYT", "Sở Y tế"), ("SGDDT", "Sở Giáo dục và Đào tạo"), ("SLDTBXH",
    "Sở Lao động - Thương binh và Xã hội"), ("SNV", "Sở Nội vụ"), ("STP", "Sở Tư pháp"),
    ("STTTT", "Sở Thông tin và Truyền thông"), ("SVHTTDL", "Sở Văn hoá, Thể thao và Du lịch"),
    ("SKHCN", "Sở Khoa học và Công nghệ"), ("TTR", "Thanh tra tỉnh"), ("CAT", "Công an tỉnh"),
    ("BCHQS", "Bộ Chỉ huy Quân sự tỉnh"), ("BQLKCN", "Ban Quản lý các khu công nghiệp"),
    ("VPUBND", "Văn phòng UBND tỉnh"),
]
VERBS = ["Rà soát", "Hướng dẫn", "Kiểm tra", "Tham mưu", "Đôn đốc", "Báo cáo", "Xây dựng",
         "Tổng hợp", "Đánh giá", "Triển khai"]
OBJECTS = ["phương án phát triển cụm công nghiệp", "quy hoạch chi tiết xây dựng",
           "hạ tầng kỹ thuật", "giải phóng mặt bằng", "xử lý nước thải, chất thải",
           "thu hút đầu tư", "thủ tục hành chính", "kế hoạch sử dụng đất",
           "chuyển đổi số", "an toàn thực phẩm"]


def agencies() -> list[tuple[str, str]]:
    districts = [f"Huyện {i}" for i in range(1, 21)]
    return DEPARTMENTS + [(f"UBND-H{i:02d}", f"UBND {d}") for i, d in
                          enumerate(districts, start=1)]


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(count: int, as_of: date, seed: int, out) -> None:
    rng = random.Random(seed)
    codes = agencies()
    for code, name in codes:
        out.write(f"[[agencies]]\ncode = {quote(code)}\nname = {quote(name)}\n\n")
    directives = max(1, count // 10)
    per = [count // directives + (1 if i < count % directives else 0) for i in range(directives)]
    for index, tasks in enumerate(per, start=1):
        issued = as_of - timedelta(days=rng.randint(190, 400))
        out.write(
            f"[[directives]]\nnumber = \"{index}/UBND-TH\"\nissued = {issued.isoformat()}\n"
            f"issuer = \"Chủ tịch UBND tỉnh\"\n"
            f"title = {quote(f'Chỉ đạo số {index} về {rng.choice(OBJECTS)}')}\n\n"
        )
        for key in range(1, tasks + 1):
            lead = rng.choice(codes)[0]
            support = rng.sample([c for c, _ in codes if c != lead], rng.choice([0, 0, 1, 2]))
            lines = [
                "[[directives.tasks]]",
                f'key = "{key}"',
                f"title = {quote(f'{rng.choice(VERBS)} {rng.choice(OBJECTS)} ({index}.{key})')}",
                f"lead = {quote(lead)}",
            ]
            if support:
                lines.append("support = [" + ", ".join(map(quote, support)) + "]")
            roll = rng.random()
            # Never before the directive was issued: clusterctl refuses that as a typo.
            due = None if roll < 0.1 else max(issued + timedelta(days=7),
                                              as_of + timedelta(days=rng.randint(-180, 180)))
            if due:
                lines.append(f"due = {due.isoformat()}")
            if roll >= 0.5 and due and due <= as_of + timedelta(days=30):
                done = max(issued, due + timedelta(days=rng.randint(-20, 10)))
                lines += ['status = "done"', f"completed_on = {min(done, as_of).isoformat()}"]
            elif roll < 0.12:
                lines.append('status = "cancelled"')
            elif roll < 0.2:
                lines.append('status = "in_progress"')
            out.write("\n".join(lines) + "\n\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many tasks")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2024, 7, 1),
                        help="the date due dates spread around (default 2024-07-01)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.count, args.as_of, args.seed, sys.stdout)


if __name__ == "__main__":
    main()
