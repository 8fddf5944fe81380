"""What the root's help lists of each command: the first paragraph of its help,
in English and Vietnamese, so that ``clusterctl --help`` builds none of them.
Written by ``python -m clusterctl.catalog compile``; a test checks that it is
current."""

SUMMARIES = {
    'holidays': ("The days off and make-up working days that working days ('+3wd', 'trong 03 "
                 "ngày làm việc') skip and count: Vietnam's public holidays (2024–2027 as "
                 "announced, 1/1, 30/4, 1/5 and 2/9 of every year) and the office's own, from "
                 '[[holiday]] tables in import files.',
                 'Các ngày nghỉ (không tính) và ngày làm bù (có tính) khi đếm ngày làm việc '
                 "('+3wd', 'trong 03 ngày làm việc'): ngày nghỉ lễ, Tết của Việt Nam (năm "
                 '2024–2027 theo thông báo; các ngày 1/1, 30/4, 1/5 và 2/9 hằng năm) và ngày '
                 'nghỉ riêng của Văn phòng, lấy từ các bảng [[holiday]] trong tệp nhập.'),
    'import': ('Import agencies, directives and tasks from TOML files, all or nothing.',
               'Nhập cơ quan, văn bản chỉ đạo và nhiệm vụ từ các tệp TOML, nhập hết hoặc không '
               'nhập gì.'),
    'export': ('Export agencies, directives and tasks in the import format.',
               'Xuất cơ quan, văn bản chỉ đạo và nhiệm vụ theo định dạng dùng để nhập.'),
    'overdue': ('The overdue tasks, most overdue first.',
                'Các nhiệm vụ quá hạn, nhiệm vụ quá hạn lâu nhất xếp trước.'),
    'status': ('Per lead agency: tasks by timeliness, completion and on-time rates, and a '
               'total.',
               'Theo từng cơ quan chủ trì: số nhiệm vụ theo tiến độ, tỷ lệ hoàn thành, tỷ lệ '
               'đúng hạn và dòng tổng số.'),
    'weekly': ("The week's summary for the Monday mail: completed, newly overdue, due next, "
               'overdue.',
               'Báo cáo tuần để gửi thư sáng thứ Hai: đã hoàn thành, mới quá hạn, sắp đến hạn, '
               'quá hạn.'),
    'log': ('What changed, newest first: one line per change (when it took effect, who, which '
            'task, what changed from what to what, the note).',
            'Những gì đã thay đổi, mới nhất trước: mỗi thay đổi một dòng (ngày có hiệu lực, '
            'người thực hiện, nhiệm vụ, thay đổi từ gì sang gì, ghi chú).'),
    'agency': ('Add, look up and reorganise agencies (Sở, UBND huyện...).',
               'Thêm, tra cứu và sắp xếp, tổ chức lại cơ quan (Sở, UBND huyện...).'),
    'directive': ('Record and look up directives (công văn, chỉ thị...).',
                  'Ghi nhận và tra cứu văn bản chỉ đạo (công văn, chỉ thị...).'),
    'task': ('Add, list and update tasks.', 'Thêm, liệt kê và cập nhật nhiệm vụ.'),
    'db': ('Look after the database: where it is, its health, copies, upgrades and, on '
           'PostgreSQL, who may do what.',
           'Quản lý cơ sở dữ liệu: vị trí, tình trạng, bản sao, nâng cấp và, với PostgreSQL, '
           'phân quyền.'),
    'series': ('Recurring tasks: list, end or change a series.',
               'Nhiệm vụ định kỳ: liệt kê, kết thúc hoặc thay đổi nhiệm vụ định kỳ.'),
    'settings': ("The office's settings, stored in the register.",
                 'Các thiết lập của Văn phòng, lưu trong sổ theo dõi.'),
}
