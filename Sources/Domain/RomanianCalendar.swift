/// Romanian legal holidays (Codul muncii art. 139) and working days, for the e-Factura upload deadline.
public enum RomanianCalendar {
    /// Orthodox Easter Sunday (Meeus' Julian algorithm, then +13 days to the Gregorian calendar; valid 1900–2099).
    public static func orthodoxEaster(_ year: Int) -> CivilDate {
        let a = year % 4
        let b = year % 7
        let c = year % 19
        let d = (19 * c + 15) % 30
        let e = (2 * a + 4 * b - d + 34) % 7
        let month = (d + e + 114) / 31
        let day = (d + e + 114) % 31 + 1
        return CivilDate(year: year, month: month, day: day)!.adding(days: 13)
    }

    public static func legalHolidays(_ year: Int) -> Set<CivilDate> {
        let fixed = [
            (1, 1), (1, 2), (1, 6), (1, 7), (1, 24), (5, 1), (6, 1), (8, 15), (11, 30), (12, 1), (12, 25), (12, 26),
        ]
        var days = Set(fixed.map { CivilDate(year: year, month: $0.0, day: $0.1)! })
        let easter = orthodoxEaster(year)
        // Good Friday, Easter Sunday and Monday; Pentecost (Rusalii) Sunday and Monday, 49 and 50 days after Easter.
        for offset in [-2, 0, 1, 49, 50] { days.insert(easter.adding(days: offset)) }
        return days
    }

    /// Monday to Friday, and not a legal holiday.
    public static func isWorkingDay(_ date: CivilDate) -> Bool {
        // 1970-01-01 was a Thursday: day numbers ≡ 2 and 3 (mod 7) are Saturday and Sunday.
        let weekday = ((date.dayNumber % 7) + 7) % 7
        return weekday != 2 && weekday != 3 && !legalHolidays(date.year).contains(date)
    }

    /// The `n`-th working day after `date` (the day itself not counted).
    public static func adding(workingDays n: Int, to date: CivilDate) -> CivilDate {
        var d = date
        var left = n
        while left > 0 {
            d = d.adding(days: 1)
            if isWorkingDay(d) { left -= 1 }
        }
        return d
    }
}

/// When a fiscal invoice must be in the e-Factura system: 5 working days after its issue date (OUG 89/2025,
/// from 2026; before that, 5 calendar days).
public enum EFacturaDeadline {
    public static func deadline(issuedOn date: CivilDate) -> CivilDate {
        date < CivilDate(year: 2026, month: 1, day: 1)!
            ? date.adding(days: 5) : RomanianCalendar.adding(workingDays: 5, to: date)
    }
}
